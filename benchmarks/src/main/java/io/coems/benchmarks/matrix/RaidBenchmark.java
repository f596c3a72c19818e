package io.coems.benchmarks.matrix;

import io.coems.matrix.Blocks;
import io.coems.matrix.StorageMatrix;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * Random 64 KiB block writes and reads through a {@link StorageMatrix} of one Logical Block
 * Space over memory devices (stripe unit 1 block, 256 MiB of user data): NORMAL (1 device,
 * the cost of the matrix layers alone), RAID-0 (2), RAID-1 (2 mirrors), RAID-5 (4), RAID-6
 * (5) and RAID-10 (4). A single-block RAID-5/6 write is a partial-stripe write
 * (read-modify-write or reconstruct-write). Compare with {@link RawDeviceBenchmark} MEMORY
 * 65536.
 *
 * <p>Bytes per operation: 65536.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RaidBenchmark {

    @Param
    public Fixtures.Layout layout;

    private Arena arena;
    private StorageMatrix matrix;
    private MemorySegment buffer;
    private Fixtures.RandomIndex blocks;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        buffer = Fixtures.randomBuffer(arena, Blocks.SIZE, 1);
        matrix = layout.matrix(device -> device);
        Fixtures.fill(matrix, matrix.blockCount(), Fixtures.randomBuffer(arena, layout.stripeBytes(), 2));
        blocks = new Fixtures.RandomIndex(matrix.blockCount(), 42);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Fixtures.closeAll(matrix, arena);
    }

    @Benchmark
    public void write() {
        matrix.write(blocks.next(), 0, buffer);
    }

    @Benchmark
    public void read() {
        matrix.read(blocks.next(), 0, buffer);
    }
}

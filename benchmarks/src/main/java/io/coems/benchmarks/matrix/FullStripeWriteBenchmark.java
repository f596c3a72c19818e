package io.coems.benchmarks.matrix;

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
 * Full-stripe writes at random stripe-aligned blocks through a {@link StorageMatrix}: RAID-5
 * with 4 members and RAID-6 with 5, stripe unit 1 block, over memory devices. A full stripe
 * (3 data chunks of 64 KiB in both layouts) reads nothing: it computes P (and Q) and writes
 * every member once. Compare with {@link RawDeviceBenchmark} MEMORY 65536 write, in bytes.
 *
 * <p>Bytes per operation (user data): 196608.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FullStripeWriteBenchmark {

    @Param({"RAID5", "RAID6"})
    public Fixtures.Layout layout;

    private Arena arena;
    private StorageMatrix matrix;
    private MemorySegment stripe;
    private Fixtures.RandomIndex stripes;
    private long blocksPerStripe;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        stripe = Fixtures.randomBuffer(arena, layout.stripeBytes(), 1);
        matrix = layout.matrix(device -> device);
        blocksPerStripe = (long) layout.dataChunks() * Fixtures.STRIPE_UNIT;
        stripes = new Fixtures.RandomIndex(matrix.blockCount() / blocksPerStripe, 42);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Fixtures.closeAll(matrix, arena);
    }

    @Benchmark
    public void write() {
        matrix.write(stripes.next() * blocksPerStripe, 0, stripe);
    }
}

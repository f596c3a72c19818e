package io.coems.benchmarks.matrix;

import io.coems.matrix.BlockDevice;
import io.coems.matrix.Blocks;
import io.coems.matrix.device.MappedFileDevice;
import io.coems.matrix.device.MemoryDevice;
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
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The baseline: random writes and reads of one 64 KiB block or one 4 KiB sector straight on a
 * device of {@link Fixtures#DATA_BLOCKS} blocks, without any matrix layer. {@code MEMORY} is
 * the off-heap {@link MemoryDevice} every RAID benchmark is built from (their ratios refer to
 * it); {@code MAPPED} is a {@link MappedFileDevice} on a sparse file in a temporary
 * directory, written once in full during setup so that no page fault is measured (the pages
 * stay dirty in the page cache; nothing is flushed).
 *
 * <p>Bytes per operation: {@code size}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RawDeviceBenchmark {

    /** Which device. */
    public enum Kind { MEMORY, MAPPED }

    @Param
    public Kind kind;

    /** Bytes per access: a block or a sector. */
    @Param({"65536", "4096"})
    public int size;

    private Arena arena;
    private Path dir;
    private BlockDevice device;
    private MemorySegment buffer;
    private Fixtures.RandomIndex positions;
    private int perBlock;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        buffer = Fixtures.randomBuffer(arena, size, 1);
        device = switch (kind) {
            case MEMORY -> new MemoryDevice("raw", Fixtures.DATA_BLOCKS);
            case MAPPED -> {
                dir = Fixtures.tempDir();
                yield MappedFileDevice.create(dir.resolve("raw.dev"), Fixtures.DATA_BLOCKS, false);
            }
        };
        Fixtures.fill(device, Fixtures.DATA_BLOCKS, Fixtures.randomBuffer(arena, Blocks.SIZE, 2));
        perBlock = Blocks.SIZE / size;
        positions = new Fixtures.RandomIndex(Fixtures.DATA_BLOCKS * perBlock, 42);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Fixtures.closeAll(device, arena);
        Fixtures.deleteTree(dir);
    }

    @Benchmark
    public void write() {
        long p = positions.next();
        device.write(p / perBlock, (int) (p % perBlock) * size, buffer);
    }

    @Benchmark
    public void read() {
        long p = positions.next();
        device.read(p / perBlock, (int) (p % perBlock) * size, buffer);
    }
}

package io.coems.benchmarks.sfs;

import io.coems.benchmarks.matrix.Fixtures;
import io.coems.matrix.Blocks;
import io.coems.matrix.LbsSpec;
import io.coems.matrix.StorageMatrix;
import io.coems.matrix.device.MappedFileDevice;
import io.coems.sfs.SfsOptions;
import io.coems.sfs.SuperFileSystem;
import io.coems.sfs.VnodeId;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The cost of {@code flush()} after {@code dirty} first writes of 4 KiB into blocks a freshly
 * spawned child still shares: each copied a block and changed metadata, so the flush makes the
 * data durable and commits the journal (two device flushes). On a memory-mapped file, so the
 * flushes are real {@code msync} calls. The writes are done in the per-invocation setup; only
 * the flush is measured.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FlushBenchmark {
    static final long PARENT_BLOCKS = 8192;

    /** First writes done before each measured flush. */
    @Param({"1", "16", "256"})
    public int dirty;

    private Path dir;
    private final Arena arena = Arena.ofShared();
    private StorageMatrix matrix;
    private SuperFileSystem fs;
    private VnodeId parent;
    private VnodeId child;
    private MemorySegment buffer;
    private long next;

    /** A 512 MiB parent in a pre-touched file and its first child. */
    @Setup(Level.Trial)
    public void setUp() {
        dir = Fixtures.tempDir();
        MappedFileDevice device = MappedFileDevice.create(dir.resolve("flush.dev"), 3 * PARENT_BLOCKS, false);
        // Every page written once: later writes measure SFS, not the file system filling holes.
        Fixtures.fill(device, device.blockCount(), Fixtures.randomBuffer(arena, Blocks.bytes(16), 9));
        matrix = StorageMatrix.create(List.of(LbsSpec.normal(device)));
        fs = SuperFileSystem.format(matrix, new SfsOptions(32768, 255, 1024, 0));
        parent = fs.create(Blocks.bytes(PARENT_BLOCKS));
        MemorySegment chunk = Fixtures.randomBuffer(arena, Blocks.bytes(16), 5);
        for (long b = 0; b < PARENT_BLOCKS; b += 16) {
            fs.write(parent, Blocks.bytes(b), chunk);
        }
        buffer = Fixtures.randomBuffer(arena, Blocks.SECTOR_SIZE, 6);
        child = fs.spawn(parent);
    }

    /** The first writes that the measured flush makes durable. */
    @Setup(Level.Invocation)
    public void dirtyBlocks() {
        if (next + dirty > PARENT_BLOCKS) {
            fs.delete(child);
            child = fs.spawn(parent);
            next = 0;
        }
        for (int i = 0; i < dirty; i++) {
            fs.write(child, Blocks.bytes(next++), buffer);
        }
    }

    /** Releases the store and its file. */
    @TearDown(Level.Trial)
    public void tearDown() {
        Fixtures.closeAll(fs, matrix, arena::close);
        Fixtures.deleteTree(dir);
    }

    /** One flush. */
    @Benchmark
    public void flush() {
        fs.flush();
    }
}

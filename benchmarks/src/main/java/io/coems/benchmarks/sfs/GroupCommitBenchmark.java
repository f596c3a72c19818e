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
 * 4 KiB first writes into a spawned child (each copies its 64 KiB block and changes metadata)
 * on a memory-mapped file, with the journal committed every second ({@code commitMillis=1000},
 * the default: every write is durable within a second) and with no periodic commit
 * ({@code commitMillis=0}: commits only when the running transaction fills up, no durability
 * promise). The ratio of the two is the price of group commit.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class GroupCommitBenchmark {
    static final long PARENT_BLOCKS = 8192;

    /** Interval of the periodic journal commit, 0 for none. */
    @Param({"0", "1000"})
    public long commitMillis;

    private Path dir;
    private final Arena arena = Arena.ofShared();
    private StorageMatrix matrix;
    private SuperFileSystem fs;
    private VnodeId parent;
    private VnodeId child;
    private MemorySegment buffer;
    private long next;

    /** A 512 MiB parent in a pre-touched file and its first child. */
    @Setup
    public void setUp() {
        dir = Fixtures.tempDir();
        MappedFileDevice device = MappedFileDevice.create(dir.resolve("commit.dev"), 3 * PARENT_BLOCKS, false);
        // Every page written once: later writes measure SFS, not the file system filling holes.
        Fixtures.fill(device, device.blockCount(), Fixtures.randomBuffer(arena, Blocks.bytes(16), 9));
        matrix = StorageMatrix.create(List.of(LbsSpec.normal(device)));
        fs = SuperFileSystem.format(matrix, new SfsOptions(32768, 255, 1024, commitMillis));
        parent = fs.create(Blocks.bytes(PARENT_BLOCKS));
        MemorySegment chunk = Fixtures.randomBuffer(arena, Blocks.bytes(16), 7);
        for (long b = 0; b < PARENT_BLOCKS; b += 16) {
            fs.write(parent, Blocks.bytes(b), chunk);
        }
        buffer = Fixtures.randomBuffer(arena, Blocks.SECTOR_SIZE, 8);
        child = fs.spawn(parent);
    }

    /** Releases the store and its file. */
    @TearDown
    public void tearDown() {
        Fixtures.closeAll(fs, matrix, arena::close);
        Fixtures.deleteTree(dir);
    }

    /** One 4 KiB first write; the child is spawned again when it owns every block. */
    @Benchmark
    public long firstWrite() {
        if (next == PARENT_BLOCKS) {
            fs.delete(child);
            child = fs.spawn(parent);
            next = 0;
        }
        fs.write(child, Blocks.bytes(next), buffer);
        return next++;
    }
}

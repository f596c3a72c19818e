package io.coems.benchmarks.sfs;

import io.coems.benchmarks.matrix.Fixtures;
import io.coems.matrix.BlockDevice;
import io.coems.matrix.Blocks;
import io.coems.matrix.LbsSpec;
import io.coems.matrix.StorageMatrix;
import io.coems.matrix.device.MappedFileDevice;
import io.coems.matrix.device.MemoryDevice;
import io.coems.sfs.SfsOptions;
import io.coems.sfs.SuperFileSystem;
import io.coems.sfs.VnodeId;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

/**
 * The stack the SFS benchmarks run on: a Storage Matrix of one NORMAL space, formatted with
 * 2 GiB groups, and one vnode with {@code writtenBlocks} blocks written. The device is either
 * off-heap memory (no page cache, no writeback to disturb the measurement) or a memory-mapped
 * file written once all over (flushes are real {@code msync} calls, page faults are not
 * measured). {@link #firstWrite} writes into blocks a spawned child still shares.
 */
final class SfsFixture implements AutoCloseable {
    final Arena arena = Arena.ofShared();
    final StorageMatrix matrix;
    final SuperFileSystem fs;
    final VnodeId vnode;
    private final long writtenBlocks;
    private final Path dir;
    private VnodeId child;
    private long next;

    private SfsFixture(BlockDevice device, Path dir, long writtenBlocks, long commitMillis) {
        this.dir = dir;
        this.writtenBlocks = writtenBlocks;
        this.matrix = StorageMatrix.create(List.of(LbsSpec.normal(device)));
        SfsOptions defaults = SfsOptions.defaults();
        this.fs = SuperFileSystem.format(matrix, new SfsOptions(defaults.groupBlocks(), defaults.vnodesPerGroup(),
                defaults.cacheBlocks(), commitMillis, defaults.maxBlocks()));
        this.vnode = fs.create(Blocks.bytes(Math.max(writtenBlocks, 1)));
        MemorySegment chunk = Fixtures.randomBuffer(arena, Blocks.bytes(16), 1);
        for (long b = 0; b < writtenBlocks; b += 16) {
            long n = Math.min(16, writtenBlocks - b);
            fs.write(vnode, Blocks.bytes(b), chunk.asSlice(0, Blocks.bytes(n)));
        }
    }

    /** A store of {@code storeBlocks} blocks in off-heap memory, with the default commit interval. */
    static SfsFixture inMemory(long storeBlocks, long writtenBlocks) {
        return new SfsFixture(new MemoryDevice("sfs-bench", storeBlocks), null, writtenBlocks,
                SfsOptions.defaults().commitMillis());
    }

    /** A store of {@code storeBlocks} blocks in a pre-touched file in a temporary directory. */
    static SfsFixture inFile(long storeBlocks, long writtenBlocks, long commitMillis) {
        Path dir = Fixtures.tempDir();
        MappedFileDevice device = MappedFileDevice.create(dir.resolve("sfs-bench.dev"), storeBlocks, false);
        try (Arena fill = Arena.ofConfined()) {
            Fixtures.fill(device, device.blockCount(), Fixtures.randomBuffer(fill, Blocks.bytes(16), 9));
        }
        return new SfsFixture(device, dir, writtenBlocks, commitMillis);
    }

    /**
     * Writes {@code data} at the start of the next block that the spawned child still shares
     * with {@link #vnode} (a first write: copy-on-write unless {@code data} covers the block) and
     * returns that block. When the child owns every block, it is deleted and spawned again.
     */
    long firstWrite(MemorySegment data) {
        if (child == null || next == writtenBlocks) {
            if (child != null) {
                fs.delete(child);
            }
            child = fs.spawn(vnode);
            next = 0;
        }
        long block = next++;
        fs.write(child, Blocks.bytes(block), data);
        return block;
    }

    @Override
    public void close() {
        Fixtures.closeAll(fs, matrix, arena::close);
        Fixtures.deleteTree(dir);
    }
}

package io.coems.benchmarks.sfs;

import io.coems.benchmarks.matrix.Fixtures;
import io.coems.matrix.Blocks;
import io.coems.matrix.LbsSpec;
import io.coems.matrix.StorageMatrix;
import io.coems.matrix.device.MemoryDevice;
import io.coems.sfs.SfsOptions;
import io.coems.sfs.SuperFileSystem;
import io.coems.sfs.VnodeId;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The stack the SFS benchmarks run on: a Storage Matrix of one NORMAL space over an off-heap
 * memory device (no page cache, no writeback to disturb the measurement), formatted with the
 * default 2 GiB groups, and one vnode with {@code writtenBlocks} blocks written.
 */
final class SfsFixture implements AutoCloseable {
    final Arena arena = Arena.ofShared();
    final StorageMatrix matrix;
    final SuperFileSystem fs;
    final VnodeId vnode;
    final long writtenBlocks;

    /** A store of {@code storeBlocks} blocks; the vnode gets {@code writtenBlocks} blocks written. */
    SfsFixture(long storeBlocks, long writtenBlocks) {
        this.writtenBlocks = writtenBlocks;
        this.matrix = StorageMatrix.create(List.of(LbsSpec.normal(new MemoryDevice("sfs-bench", storeBlocks))));
        this.fs = SuperFileSystem.format(matrix, SfsOptions.defaults());
        this.vnode = fs.create(Blocks.bytes(Math.max(writtenBlocks, 1)));
        MemorySegment chunk = Fixtures.randomBuffer(arena, Blocks.bytes(16), 1);
        for (long b = 0; b < writtenBlocks; b += 16) {
            long n = Math.min(16, writtenBlocks - b);
            fs.write(vnode, Blocks.bytes(b), chunk.asSlice(0, Blocks.bytes(n)));
        }
    }

    @Override
    public void close() {
        Fixtures.closeAll(fs, matrix, arena::close);
    }
}

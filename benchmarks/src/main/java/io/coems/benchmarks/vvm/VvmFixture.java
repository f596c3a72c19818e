package io.coems.benchmarks.vvm;

import io.coems.benchmarks.matrix.Fixtures;
import io.coems.matrix.Blocks;
import io.coems.matrix.LbsSpec;
import io.coems.matrix.device.MappedFileDevice;
import io.coems.matrix.device.MemoryDevice;
import io.coems.vvm.PoolOptions;
import io.coems.vvm.Volume;
import io.coems.vvm.VolumePool;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

/**
 * The stack the VolumePool benchmarks run on: a pool holding one volume of
 * {@code writtenBlocks} blocks, every block written once (so the volume owns them
 * exclusively). The pool is either a directory pool (one sparse, memory-mapped device file in
 * a temporary directory on disk: what an application gets from {@code VolumePool.create(dir)})
 * or a pool over one off-heap {@link MemoryDevice} (commits cost a memory copy, no sync).
 * {@link #raw} is the baseline: a {@link MappedFileDevice} of the same size in the same
 * directory, written over the same first blocks.
 */
final class VvmFixture implements AutoCloseable {
    final Arena arena = Arena.ofShared();
    final Path dir;
    final VolumePool pool;
    final Volume volume;
    final long writtenBlocks;

    private VvmFixture(Path dir, VolumePool pool, long writtenBlocks) {
        this.dir = dir;
        this.pool = pool;
        this.writtenBlocks = writtenBlocks;
        this.volume = pool.createVolume("bench", Blocks.bytes(Math.max(1, writtenBlocks)));
        MemorySegment chunk = Fixtures.randomBuffer(arena, Blocks.bytes(16), 1);
        for (long b = 0; b < writtenBlocks; b += 16) {
            long n = Math.min(16, writtenBlocks - b);
            volume.write(Blocks.bytes(b), chunk.asSlice(0, Blocks.bytes(n)));
        }
        pool.flush();
    }

    /** A pool of {@code poolBytes} on {@code backing}, with a volume of {@code writtenBlocks} blocks written. */
    static VvmFixture of(Backing backing, long poolBytes, long writtenBlocks) {
        return switch (backing) {
            case FILE -> {
                Path dir = Fixtures.tempDir();
                yield new VvmFixture(dir, VolumePool.create(dir.resolve("pool"),
                        PoolOptions.defaults().withFileBytes(poolBytes)), writtenBlocks);
            }
            case MEMORY -> new VvmFixture(null, VolumePool.create(List.of(LbsSpec.normal(
                    new MemoryDevice("vvm-bench", poolBytes / Blocks.SIZE))), PoolOptions.defaults()), writtenBlocks);
        };
    }

    /**
     * The raw baseline: a sparse {@link MappedFileDevice} of {@code bytes} in a new temporary
     * directory, its first {@code writtenBlocks} blocks written once (pre-touched, like the
     * volume's blocks).
     */
    static MappedFileDevice raw(Path dir, long bytes, long writtenBlocks, Arena arena) {
        MappedFileDevice device = MappedFileDevice.create(dir.resolve("raw.dev"), bytes / Blocks.SIZE, false);
        Fixtures.fill(device, writtenBlocks, Fixtures.randomBuffer(arena, Blocks.bytes(16), 1));
        device.flush();
        return device;
    }

    @Override
    public void close() {
        Fixtures.closeAll(pool, arena::close);
        Fixtures.deleteTree(dir);
    }
}

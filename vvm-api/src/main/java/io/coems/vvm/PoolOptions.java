package io.coems.vvm;

import io.coems.matrix.Blocks;

import java.time.InstantSource;

/**
 * How a pool is laid out and run. Start from {@link #defaults()} and change what differs.
 *
 * @param fileBytes      size of each device file of a directory pool (sparse unless
 *                       {@code preallocate}: untouched blocks take no disk space); the pool grows
 *                       by one such file at a time
 * @param maxBytes       the largest a directory pool grows to, in bytes of device files
 * @param vnodesPerGroup volume and snapshot states per 2 GiB of pool (each volume and each
 *                       snapshot takes one)
 * @param cacheBlocks    metadata blocks (64 KiB each) kept in memory
 * @param commitMillis   interval of the periodic metadata commit, 0 for none; writes become
 *                       durable at {@code flush()} either way
 * @param clock          the clock of creation times and lease timeouts
 * @param preallocate    whether a directory pool allocates each device file it creates on the file
 *                       system at once (a thick pool file: Linux {@code fallocate}, the whole
 *                       {@code fileBytes} taken from the disk at creation), so that first writes
 *                       into the pool need not allocate; volumes in the pool stay thin. Applies to
 *                       the files created while the pool is open with these options (the first at
 *                       create, each one the pool grows by), not to existing ones. A pool created
 *                       with it stores it ({@link VolumePool#preallocated()}): the files it grows
 *                       by are preallocated whatever options open it later, so {@code false}
 *                       does not make such a pool thin. Needs native access for the module
 *                       {@code io.coems.matrix} ({@code --enable-native-access=io.coems.matrix},
 *                       or {@code ALL-UNNAMED} on the class path): without it, creating a file
 *                       with this option is refused with {@link PoolArgumentException} at create,
 *                       {@link PoolIoException} at growth; a pool that is preallocated only by its
 *                       record grows by sparse files instead, with a warning
 */
public record PoolOptions(long fileBytes, long maxBytes, int vnodesPerGroup, int cacheBlocks, long commitMillis,
        InstantSource clock, boolean preallocate) {
    /** Smallest device file: one block group of 64 MiB plus labels. */
    public static final long MIN_FILE_BYTES = 64L << 20;

    /**
     * @throws PoolArgumentException if a size or count is out of range
     */
    public PoolOptions {
        if (fileBytes < MIN_FILE_BYTES || fileBytes % Blocks.SIZE != 0) {
            throw new PoolArgumentException("device file size " + fileBytes + " bytes is not a multiple of 64 KiB"
                    + " from " + MIN_FILE_BYTES);
        }
        if (maxBytes < fileBytes) {
            throw new PoolArgumentException("maximum pool size " + maxBytes + " bytes is below the file size "
                    + fileBytes);
        }
        if (vnodesPerGroup < 1 || vnodesPerGroup > 65535) {
            throw new PoolArgumentException("vnodes per group " + vnodesPerGroup + " is not from 1 to 65535");
        }
        if (cacheBlocks < 16) {
            throw new PoolArgumentException("metadata cache of " + cacheBlocks + " blocks is below 16");
        }
        if (commitMillis < 0) {
            throw new PoolArgumentException("commit interval " + commitMillis + " ms is negative");
        }
        if (clock == null) {
            throw new PoolArgumentException("clock is null");
        }
    }

    /**
     * 16 GiB sparse device files up to 1 PiB, 4080 states per 2 GiB, 16 MiB of metadata cache,
     * commits every second.
     */
    public static PoolOptions defaults() {
        return new PoolOptions(16L << 30, 1L << 50, 4080, 256, 1000, InstantSource.system(), false);
    }

    /** These options with device files of {@code bytes}. */
    public PoolOptions withFileBytes(long bytes) {
        return new PoolOptions(bytes, Math.max(bytes, maxBytes), vnodesPerGroup, cacheBlocks, commitMillis, clock,
                preallocate);
    }

    /** These options growing a directory pool up to {@code bytes}. */
    public PoolOptions withMaxBytes(long bytes) {
        return new PoolOptions(fileBytes, bytes, vnodesPerGroup, cacheBlocks, commitMillis, clock, preallocate);
    }

    /** These options with {@code count} states per group. */
    public PoolOptions withVnodesPerGroup(int count) {
        return new PoolOptions(fileBytes, maxBytes, count, cacheBlocks, commitMillis, clock, preallocate);
    }

    /** These options with a metadata cache of {@code blocks}. */
    public PoolOptions withCacheBlocks(int blocks) {
        return new PoolOptions(fileBytes, maxBytes, vnodesPerGroup, blocks, commitMillis, clock, preallocate);
    }

    /** These options with a periodic commit every {@code millis} (0: none). */
    public PoolOptions withCommitMillis(long millis) {
        return new PoolOptions(fileBytes, maxBytes, vnodesPerGroup, cacheBlocks, millis, clock, preallocate);
    }

    /** These options with {@code source} as the clock. */
    public PoolOptions withClock(InstantSource source) {
        return new PoolOptions(fileBytes, maxBytes, vnodesPerGroup, cacheBlocks, commitMillis, source, preallocate);
    }

    /** These options with device files preallocated ({@code true}) or sparse; see {@link #preallocate()}. */
    public PoolOptions withPreallocate(boolean preallocate) {
        return new PoolOptions(fileBytes, maxBytes, vnodesPerGroup, cacheBlocks, commitMillis, clock, preallocate);
    }
}

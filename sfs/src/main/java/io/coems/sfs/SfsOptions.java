package io.coems.sfs;

import io.coems.matrix.Blocks;
import io.coems.sfs.format.Geometry;

/**
 * How a new file system is laid out, and how much metadata an open one caches.
 *
 * @param groupBlocks    blocks per block group: a power of two from 64 to 32768 (2 GiB)
 * @param vnodesPerGroup vnode slots per group
 * @param cacheBlocks    metadata blocks kept in memory (64 KiB each)
 * @param commitMillis   interval of the periodic journal commit, 0 for none (commits still
 *                       happen on flush, on durable operations and when enough has changed)
 * @param maxBlocks      blocks the file system may {@linkplain SuperFileSystem#grow() grow} to:
 *                       format reserves the group-descriptor table for them (one table block
 *                       per 2047 groups, in every group). Used by format only; open reads it
 *                       from the superblock
 */
public record SfsOptions(int groupBlocks, int vnodesPerGroup, int cacheBlocks, long commitMillis, long maxBlocks) {
    /**
     * The default maximum: the Storage Matrix's whole 30-bit block space (64 TiB), a table of
     * 17 blocks per group with the default 2 GiB groups.
     */
    public static final long DEFAULT_MAX_BLOCKS = Blocks.MAX_MATRIX_BLOCKS;

    /**
     * 2 GiB groups with 255 vnodes each, 64 MiB of metadata cache, a commit every second, room
     * to grow to 64 TiB.
     */
    public static SfsOptions defaults() {
        return new SfsOptions(Geometry.MAX_GROUP_BLOCKS, Geometry.VNODES_PER_BLOCK, 1024, 1000, DEFAULT_MAX_BLOCKS);
    }

    /**
     * @throws SfsArgumentException if the cache holds fewer than 16 blocks, the commit interval
     *                              is negative or the maximum is not positive (the group and
     *                              vnode counts and the maximum are checked against the store
     *                              when formatting)
     */
    public SfsOptions {
        if (cacheBlocks < 16) {
            throw new SfsArgumentException("cache of " + cacheBlocks + " blocks is below the minimum of 16");
        }
        if (commitMillis < 0) {
            throw new SfsArgumentException("commit interval " + commitMillis + " ms is negative");
        }
        if (maxBlocks < 1) {
            throw new SfsArgumentException("maximum size of " + maxBlocks + " blocks is not positive");
        }
    }
}

package io.coems.sfs;

import io.coems.sfs.format.Geometry;

/**
 * How a new file system is laid out, and how much metadata an open one caches.
 *
 * @param groupBlocks    blocks per block group: a power of two from 64 to 32768 (2 GiB)
 * @param vnodesPerGroup vnode slots per group
 * @param cacheBlocks    metadata blocks kept in memory (64 KiB each)
 * @param commitMillis   interval of the periodic journal commit, 0 for none (commits still
 *                       happen on flush, on durable operations and when enough has changed)
 */
public record SfsOptions(int groupBlocks, int vnodesPerGroup, int cacheBlocks, long commitMillis) {
    /** 2 GiB groups with 255 vnodes each, 64 MiB of metadata cache, a commit every second. */
    public static SfsOptions defaults() {
        return new SfsOptions(Geometry.MAX_GROUP_BLOCKS, Geometry.VNODES_PER_BLOCK, 1024, 1000);
    }

    /**
     * @throws SfsArgumentException if the cache holds fewer than 16 blocks (the group and vnode
     *                              counts are checked against the store when formatting)
     */
    public SfsOptions {
        if (cacheBlocks < 16) {
            throw new SfsArgumentException("cache of " + cacheBlocks + " blocks is below the minimum of 16");
        }
        if (commitMillis < 0) {
            throw new SfsArgumentException("commit interval " + commitMillis + " ms is negative");
        }
    }
}

package io.coems.sfs.format;

import io.coems.sfs.SfsArgumentException;

/**
 * Where everything lies: the store is cut into block groups of {@code groupBlocks} blocks,
 * each laid out alike (as ext2's):
 *
 * <pre>
 *  group g, starting at block g * groupBlocks
 *  +-------------+-----------------+------------------+--------------+----------------+---------------
 *  | superblock  | group-descriptor| reference counts | vnode bitmap | vnode table    | data blocks
 *  | copy        | table copy      | (u32 per block   | (1 block)    | (256-byte      | ...
 *  | (1 block)   | (tableBlocks)   | of the group)    |              |  records)      |
 *  +-------------+-----------------+------------------+--------------+----------------+---------------
 * </pre>
 *
 * Group 0 holds the primary superblock and table; the other groups hold backups. A last group
 * too small for its metadata and one data block is not used. The table is sized for
 * {@code maxBlocks}, the largest the file system may grow to, so groups added later find
 * their descriptors' place reserved and nothing already laid out moves.
 *
 * @param totalBlocks    blocks of the store used by the file system
 * @param groupBlocks    blocks per group (a power of two)
 * @param groups         number of groups
 * @param vnodesPerGroup vnode records per group
 * @param maxBlocks      blocks the file system may grow to; the table is reserved for them
 */
public record Geometry(long totalBlocks, int groupBlocks, int groups, int vnodesPerGroup, long maxBlocks) {
    /** Bytes of a group descriptor. */
    public static final int GROUP_DESCRIPTOR_SIZE = 32;
    /** Group descriptors per table block. */
    public static final int DESCRIPTORS_PER_BLOCK = MetaBlock.PAYLOAD / GROUP_DESCRIPTOR_SIZE;
    /** Reference counts per block. */
    public static final int COUNTS_PER_BLOCK = MetaBlock.PAYLOAD / 4;
    /** Vnode records per table block. */
    public static final int VNODES_PER_BLOCK = MetaBlock.PAYLOAD / VnodeRecord.SIZE;
    /** Pointers per index block. */
    public static final int INDEX_ENTRIES = MetaBlock.PAYLOAD / 4;
    /** Smallest group size accepted. */
    public static final int MIN_GROUP_BLOCKS = 64;
    /** Largest group size accepted (2 GiB of 64 KiB blocks). */
    public static final int MAX_GROUP_BLOCKS = 32768;

    /**
     * The geometry of a store of {@code storeBlocks} blocks that may grow to {@code maxBlocks}.
     *
     * @throws SfsArgumentException if the sizes do not fit or leave no data block
     */
    public static Geometry of(long storeBlocks, int groupBlocks, int vnodesPerGroup, long maxBlocks) {
        if (groupBlocks < MIN_GROUP_BLOCKS || groupBlocks > MAX_GROUP_BLOCKS || Integer.bitCount(groupBlocks) != 1) {
            throw new SfsArgumentException("group size " + groupBlocks + " blocks is not a power of two from "
                    + MIN_GROUP_BLOCKS + " to " + MAX_GROUP_BLOCKS);
        }
        if (vnodesPerGroup < 1 || vnodesPerGroup > 8 * MetaBlock.PAYLOAD) {
            throw new SfsArgumentException("vnodes per group " + vnodesPerGroup + " is not from 1 to "
                    + 8 * MetaBlock.PAYLOAD);
        }
        if (maxBlocks > Pointers.BLOCK_MASK) {
            throw new SfsArgumentException("a maximum of " + maxBlocks + " blocks exceeds the 31-bit block pointer");
        }
        if (storeBlocks > maxBlocks) {
            throw new SfsArgumentException("a store of " + storeBlocks + " blocks exceeds the maximum of " + maxBlocks
                    + " blocks the file system may grow to");
        }
        int groups = (int) ((storeBlocks + groupBlocks - 1) / groupBlocks);
        Geometry geometry = new Geometry(storeBlocks, groupBlocks, groups, vnodesPerGroup, maxBlocks);
        if (groups > 0 && geometry.groupEnd(groups - 1) - geometry.groupStart(groups - 1) <= geometry.metadataBlocks()) {
            groups--;
            geometry = new Geometry((long) groups * groupBlocks, groupBlocks, groups, vnodesPerGroup, maxBlocks);
        }
        if (groups == 0 || geometry.metadataBlocks() >= groupBlocks) {
            throw new SfsArgumentException("a store of " + storeBlocks + " blocks is too small for groups of "
                    + groupBlocks + " blocks with " + vnodesPerGroup + " vnodes each and a group-descriptor table"
                    + " reserved for " + maxBlocks + " blocks");
        }
        return geometry;
    }

    /**
     * The geometry once the store has {@code storeBlocks} blocks: the last group filled up, and
     * the whole groups that fit added (a last one too small for its metadata and one data block
     * is left out, as {@link #of} does). This geometry if the store is no larger.
     *
     * @throws SfsArgumentException if {@code storeBlocks} exceeds {@link #maxBlocks()}
     */
    public Geometry grownTo(long storeBlocks) {
        return storeBlocks <= totalBlocks ? this : of(storeBlocks, groupBlocks, vnodesPerGroup, maxBlocks);
    }

    /** The most groups the file system may grow to: those of {@link #maxBlocks()}. */
    public int maxGroups() {
        return (int) ((maxBlocks + groupBlocks - 1) / groupBlocks);
    }

    /** Blocks of the group-descriptor table: room for {@link #maxGroups()} descriptors. */
    public int tableBlocks() {
        return (maxGroups() + DESCRIPTORS_PER_BLOCK - 1) / DESCRIPTORS_PER_BLOCK;
    }

    /** Blocks of the group-descriptor table that describe the groups in use. */
    public int usedTableBlocks() {
        return (groups + DESCRIPTORS_PER_BLOCK - 1) / DESCRIPTORS_PER_BLOCK;
    }

    /** Blocks of reference counts per group. */
    public int countBlocks() {
        return (groupBlocks + COUNTS_PER_BLOCK - 1) / COUNTS_PER_BLOCK;
    }

    /** Blocks of the vnode table per group. */
    public int vnodeTableBlocks() {
        return (vnodesPerGroup + VNODES_PER_BLOCK - 1) / VNODES_PER_BLOCK;
    }

    /** Metadata blocks at the start of every group. */
    public int metadataBlocks() {
        return 1 + tableBlocks() + countBlocks() + 1 + vnodeTableBlocks();
    }

    /** First block of group {@code g}: its superblock copy. */
    public long groupStart(int g) {
        return (long) g * groupBlocks;
    }

    /** One past the last block of group {@code g}. */
    public long groupEnd(int g) {
        return Math.min(totalBlocks, groupStart(g + 1));
    }

    /** Block {@code i} of group {@code g}'s copy of the group-descriptor table. */
    public long tableBlock(int g, int i) {
        return groupStart(g) + 1 + i;
    }

    /** The reference-count block of group {@code g} that holds the count of {@code block}. */
    public long countBlock(long block) {
        int g = groupOf(block);
        return groupStart(g) + 1 + tableBlocks() + (block - groupStart(g)) / COUNTS_PER_BLOCK;
    }

    /** The byte offset of {@code block}'s count inside its count block. */
    public long countOffset(long block) {
        return ((block - groupStart(groupOf(block))) % COUNTS_PER_BLOCK) * 4;
    }

    /** The vnode bitmap block of group {@code g}. */
    public long vnodeBitmap(int g) {
        return groupStart(g) + 1 + tableBlocks() + countBlocks();
    }

    /** The vnode table block holding vnode {@code index}. */
    public long vnodeBlock(int index) {
        int g = index / vnodesPerGroup;
        return vnodeBitmap(g) + 1 + (index % vnodesPerGroup) / VNODES_PER_BLOCK;
    }

    /** The byte offset of vnode {@code index} inside its table block. */
    public long vnodeOffset(int index) {
        return (long) ((index % vnodesPerGroup) % VNODES_PER_BLOCK) * VnodeRecord.SIZE;
    }

    /** First data block of group {@code g}. */
    public long firstData(int g) {
        return groupStart(g) + metadataBlocks();
    }

    /** Data blocks of group {@code g}. */
    public long dataBlocks(int g) {
        return groupEnd(g) - firstData(g);
    }

    /** The group holding {@code block}. */
    public int groupOf(long block) {
        return (int) (block / groupBlocks);
    }

    /** Total vnode slots. */
    public int vnodes() {
        return groups * vnodesPerGroup;
    }

    /** Data blocks in all groups. */
    public long totalDataBlocks() {
        long sum = 0;
        for (int g = 0; g < groups; g++) {
            sum += dataBlocks(g);
        }
        return sum;
    }
}

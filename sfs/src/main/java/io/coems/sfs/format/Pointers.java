package io.coems.sfs.format;

/**
 * The 32-bit block pointer of SFS:
 *
 * <pre>
 *  bit 31      bits 30..0
 *  +---------+---------------------------------------------+
 *  | owner   | block number in the Storage Matrix (0 = none) |
 *  +---------+---------------------------------------------+
 * </pre>
 *
 * The owner bit is a cache of the reference counts: 1 promises that the block's count is 1
 * and that this pointer is its only reference, so a write may change it in place; 0 means
 * "look at the count" (shared, or not known to be exclusive). The promise holds only along a
 * path of owner bits from the vnode down: under a shared index block, its entries' bits mean
 * nothing until the block is claimed. Block 0 (the primary superblock) is never pointed to,
 * so 0 is the null pointer: a hole that reads as zeros.
 */
public final class Pointers {
    /** The owner bit. */
    public static final int OWNER = 0x8000_0000;
    /** The block-number bits. */
    public static final int BLOCK_MASK = 0x7fff_ffff;

    private Pointers() {
    }

    /** The block a pointer names (0 for none). */
    public static long block(int pointer) {
        return pointer & BLOCK_MASK;
    }

    /** Whether the owner bit is set. */
    public static boolean owned(int pointer) {
        return (pointer & OWNER) != 0;
    }

    /** A pointer to {@code block}, with the owner bit if {@code owned}. */
    public static int of(long block, boolean owned) {
        return (int) block | (owned ? OWNER : 0);
    }

    /** The same pointer without the owner bit. */
    public static int shared(int pointer) {
        return pointer & BLOCK_MASK;
    }
}

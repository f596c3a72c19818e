package io.coems.matrix.device;

import io.coems.matrix.Blocks;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Which blocks of a mapped file a device has written since it was opened: one bit per 64 KiB
 * block (2 KiB per GiB of device), set without locking. A block not yet written may be a hole
 * of the sparse file (or pages not in memory), which a write through the mapping would fault in
 * page by page; {@link MappedFileDevice} writes such ranges through the file instead. SFS
 * writes a newly allocated block whole, so after one write through the file its pages are in
 * the page cache.
 */
final class WrittenBlocks {
    private final AtomicLongArray bits;

    WrittenBlocks(long blocks) {
        this.bits = new AtomicLongArray((int) ((blocks + 63) >>> 6));
    }

    /** Whether every block that the bytes {@code [position, position + length)} touch was written. */
    boolean all(long position, long length) {
        long last = (position + Math.max(length, 1) - 1) >>> Blocks.SHIFT;
        for (long block = position >>> Blocks.SHIFT; block <= last; block++) {
            if ((bits.get((int) (block >>> 6)) & (1L << block)) == 0) {
                return false;
            }
        }
        return true;
    }

    /** Records the blocks that the bytes {@code [position, position + length)} touch. */
    void mark(long position, long length) {
        long last = (position + Math.max(length, 1) - 1) >>> Blocks.SHIFT;
        for (long block = position >>> Blocks.SHIFT; block <= last; block++) {
            int word = (int) (block >>> 6);
            if ((bits.get(word) & (1L << block)) == 0) {
                bits.getAndAccumulate(word, 1L << block, (a, b) -> a | b);
            }
        }
    }
}

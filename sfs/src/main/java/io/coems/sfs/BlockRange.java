package io.coems.sfs;

/**
 * A run of logical blocks of a vnode (64 KiB each).
 *
 * @param first the first block
 * @param count how many blocks, at least 1
 */
public record BlockRange(long first, long count) {
    /** One past the last block. */
    public long end() {
        return first + count;
    }
}

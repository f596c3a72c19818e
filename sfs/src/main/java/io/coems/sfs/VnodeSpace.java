package io.coems.sfs;

/**
 * The space a vnode takes, in 64 KiB blocks, exact at the moment it was measured.
 *
 * @param mapped      data blocks the vnode maps
 * @param exclusive   data blocks no other vnode references: a write to them copies nothing
 * @param reclaimable blocks its delete would free: its exclusive data blocks and the index
 *                    blocks only it references
 */
public record VnodeSpace(long mapped, long exclusive, long reclaimable) {
    /** Mapped data blocks that other vnodes reference too. */
    public long shared() {
        return mapped - exclusive;
    }
}

package io.coems.vvm;

/**
 * The pool's space in bytes, exact when measured.
 *
 * @param capacity bytes of data blocks in the pool
 * @param free     bytes not used (including a small reserve that only deletes may use)
 */
public record PoolSpace(long capacity, long free) {
    /** Bytes in use: data of all volumes and snapshots, their block maps and the pool's metadata. */
    public long used() {
        return capacity - free;
    }
}

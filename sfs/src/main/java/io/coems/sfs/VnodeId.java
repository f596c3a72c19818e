package io.coems.sfs;

import io.coems.sfs.engine.Ids;

/**
 * Names a vnode: its slot in the vnode table and the slot's generation. A slot reused after a
 * delete has a new generation, so an id kept from before names nothing and fails with
 * {@link SfsNotFoundException} instead of reaching the successor.
 *
 * @param index      slot index
 * @param generation slot generation, never 0
 */
public record VnodeId(int index, int generation) {
    /** The id packed in a long: index in the high 32 bits, generation in the low 32. */
    public long toLong() {
        return Ids.of(index, generation);
    }

    /** The id packed by {@link #toLong()}. */
    public static VnodeId fromLong(long packed) {
        return new VnodeId(Ids.index(packed), Ids.generation(packed));
    }

    @Override
    public String toString() {
        return "vnode " + index + ":" + Integer.toUnsignedString(generation);
    }
}

package io.coems.vvm;

import io.coems.sfs.DescriptorId;

/**
 * Volume, snapshot and client ids are the ids of their SFS descriptors packed in a long (index
 * in the high 32 bits, generation in the low 32): stable across restarts, never reused for a
 * new object, never 0.
 */
final class Ids {
    private Ids() {
    }

    static long of(DescriptorId id) {
        return ((long) id.index() << 32) | Integer.toUnsignedLong(id.generation());
    }

    static DescriptorId descriptor(long id) {
        return new DescriptorId((int) (id >>> 32), (int) id);
    }

    static String format(long id) {
        return (id >>> 32) + ":" + Integer.toUnsignedString((int) id);
    }
}

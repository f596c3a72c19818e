package io.coems.sfs.engine;

/**
 * An id of a vnode or descriptor packed in a long: slot index in the high 32 bits, slot
 * generation in the low 32.
 */
public final class Ids {
    private Ids() {
    }

    /** The id of slot {@code index} at {@code generation}. */
    public static long of(int index, int generation) {
        return ((long) index << 32) | (generation & 0xffff_ffffL);
    }

    /** The slot index of an id. */
    public static int index(long id) {
        return (int) (id >>> 32);
    }

    /** The generation of an id. */
    public static int generation(long id) {
        return (int) id;
    }

    /** "index:generation", for messages. */
    public static String format(long id) {
        return index(id) + ":" + Integer.toUnsignedString(generation(id));
    }
}

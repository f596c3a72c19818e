package io.coems.vvm;

import java.lang.foreign.MemorySegment;

/**
 * The pool's own record, one SFS descriptor of type {@link #TYPE}: the pool format version
 * (a newer one is refused at open), its flags, and the last fencing token issued.
 *
 * <pre>
 *  0       1       2                               8
 *  +-------+-------+-------------------------------+
 *  |format | flags | reserved (6)                  |
 *  +-------+-------+-------------------------------+
 *  | last fencing token issued (u64)               | 8
 *  +-----------------------------------------------+
 * </pre>
 *
 * Flags: bit 0 ({@link #PREALLOCATED}), the device files of a directory pool are preallocated;
 * the other bits are 0. A pool written before the flags has them 0 (thin files), and code that
 * predates them ignores the byte, so the format stays 1.
 *
 * @param format       the pool format version
 * @param preallocated whether the pool's device files are preallocated, those it grows by too
 * @param lastToken    the last fencing token handed out
 */
record PoolRecord(int format, boolean preallocated, long lastToken) {
    /** Descriptor type of the pool record. */
    static final int TYPE = 4;
    /** The pool format this code writes and reads. */
    static final int FORMAT = 1;
    /** Flag bit: the device files are preallocated. */
    static final int PREALLOCATED = 1;

    /** This record with {@code token} as the last fencing token issued. */
    PoolRecord withLastToken(long token) {
        return new PoolRecord(format, preallocated, token);
    }

    MemorySegment encode() {
        return Payload.writer(format, preallocated ? PREALLOCATED : 0).u64(lastToken).segment();
    }

    /**
     * @throws PoolFormatException if the pool has a newer format than this code reads
     */
    static PoolRecord decode(byte[] bytes) {
        if (bytes.length > 0 && Byte.toUnsignedInt(bytes[0]) > FORMAT) {
            throw new PoolFormatException("the pool has format version " + Byte.toUnsignedInt(bytes[0])
                    + "; this code reads version " + FORMAT);
        }
        Payload in = Payload.reader(bytes, FORMAT, "the pool record");
        return new PoolRecord(FORMAT, (in.flags() & PREALLOCATED) != 0, in.u64());
    }
}

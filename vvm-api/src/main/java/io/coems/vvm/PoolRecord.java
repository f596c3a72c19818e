package io.coems.vvm;

import java.lang.foreign.MemorySegment;

/**
 * The pool's own record, one SFS descriptor of type {@link #TYPE}: the pool format version
 * (a newer one is refused at open) and the last fencing token issued.
 *
 * <pre>
 *  0       1       2                               8
 *  +-------+-------+-------------------------------+
 *  |format | 0     | reserved (6)                  |
 *  +-------+-------+-------------------------------+
 *  | last fencing token issued (u64)               | 8
 *  +-----------------------------------------------+
 * </pre>
 *
 * @param format    the pool format version
 * @param lastToken the last fencing token handed out
 */
record PoolRecord(int format, long lastToken) {
    /** Descriptor type of the pool record. */
    static final int TYPE = 4;
    /** The pool format this code writes and reads. */
    static final int FORMAT = 1;

    MemorySegment encode() {
        return Payload.writer(format, 0).u64(lastToken).segment();
    }

    /**
     * @throws PoolFormatException if the pool has a newer format than this code reads
     */
    static PoolRecord decode(byte[] bytes) {
        if (bytes.length > 0 && Byte.toUnsignedInt(bytes[0]) > FORMAT) {
            throw new PoolFormatException("the pool has format version " + Byte.toUnsignedInt(bytes[0])
                    + "; this code reads version " + FORMAT);
        }
        return new PoolRecord(FORMAT, Payload.reader(bytes, FORMAT, "the pool record").u64());
    }
}

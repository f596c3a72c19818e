package io.coems.nvsp.message;

/**
 * The base of the block I/O requests: the byte range of a volume they address, and flags.
 *
 * <pre>
 * +---------------------------------------------------------------+
 * |                         volumeId (64)                         |  block + 0
 * +---------------------------------------------------------------+
 * |                          offset (64)                          |  block + 8
 * +---------------------------------------------------------------+
 * |                            length                             |  block + 16
 * +---------------------------------------------------------------+
 * |                             flags                             |  block + 20
 * +---------------------------------------------------------------+
 * </pre>
 *
 * @param <M> the concrete flyweight
 */
public abstract class RangeRequest<M extends RangeRequest<M>> extends Message<M> {
    /** Flag of WRITE: force unit access, the data is durable before the response. */
    public static final long FLAG_FUA = 0x1;
    /** Flag of WRITE_ZEROES: allocate the zeros instead of leaving a hole. */
    public static final long FLAG_NO_HOLE = 0x2;

    /** Offset in the message of the unsigned 32-bit length field. */
    protected static final int LENGTH_AT = BLOCK + 16;

    private static final int VOLUME_ID_AT = BLOCK;
    private static final int OFFSET_AT = BLOCK + 8;
    private static final int FLAGS_AT = BLOCK + 20;

    /**
     * Creates an unwrapped flyweight.
     *
     * @param layout the layout of the concrete request
     * @param payload the view of the data, or null when the request carries none
     */
    protected RangeRequest(Layout layout, Payload payload) {
        super(layout, payload);
    }

    /**
     * Returns the volume addressed.
     *
     * @return the volume id
     */
    public final long volumeId() {
        return u64(VOLUME_ID_AT, "volumeId");
    }

    /**
     * Sets the volume addressed.
     *
     * @param volumeId the volume id
     * @return this flyweight
     */
    public final M volumeId(long volumeId) {
        putU64(VOLUME_ID_AT, volumeId, "volumeId");
        return self();
    }

    /**
     * Returns the first byte of the range.
     *
     * @return the byte offset in the volume, unsigned
     */
    public final long volumeOffset() {
        return u64(OFFSET_AT, "offset");
    }

    /**
     * Sets the first byte of the range.
     *
     * @param offset the byte offset in the volume, unsigned
     * @return this flyweight
     */
    public final M volumeOffset(long offset) {
        putU64(OFFSET_AT, offset, "offset");
        return self();
    }

    /**
     * Returns the length of the range.
     *
     * @return the length in bytes, unsigned 32 bits
     */
    public final long length() {
        return u32(LENGTH_AT, "length");
    }

    /**
     * Returns the flags.
     *
     * @return a combination of {@link #FLAG_FUA} and {@link #FLAG_NO_HOLE}
     */
    public final long flags() {
        return u32(FLAGS_AT, "flags");
    }

    /**
     * Sets the flags.
     *
     * @param flags a combination of {@link #FLAG_FUA} and {@link #FLAG_NO_HOLE}
     * @return this flyweight
     */
    public final M flags(long flags) {
        putU32(FLAGS_AT, flags, "flags");
        return self();
    }

    @Override
    protected void describe(StringBuilder description) {
        description.append(" volume=").append(Long.toUnsignedString(volumeId()))
                .append(" offset=").append(Long.toUnsignedString(volumeOffset()))
                .append(" length=").append(length()).append(" flags=").append(flags());
    }
}

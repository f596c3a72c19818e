package io.coems.nvsp.message;

/**
 * BLOCK_STATUS_RESPONSE: the extents of the requested range, in order, each with its state
 * ({@link #STATE_HOLE}: not allocated, {@link #STATE_ZERO}: reads as zeros; the NBD values).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------+-------------------------------+
 * |         type = 0x8106         |        blockLength = 8        |  0
 * +-------------------------------+-------------------------------+
 * |                            status                             |  4
 * +-------------------------------+-------------------------------+
 * |       entryLength = 16        |          entryCount           |  8
 * +-------------------------------+-------------------------------+
 * entry (repeated entryCount times, at 12 + i * entryLength):
 * +---------------------------------------------------------------+
 * |                          offset (64)                          | +0
 * +---------------------------------------------------------------+
 * |                            length                             | +8
 * +---------------------------------------------------------------+
 * |                             state                             | +12
 * +---------------------------------------------------------------+
 * </pre>
 */
public final class BlockStatusResponse extends EntryList<BlockStatusResponse> {
    /** Size of the version-1 block. */
    public static final int BLOCK_LENGTH = 8;
    /** Size of a version-1 extent entry. */
    public static final int ENTRY_LENGTH = 16;
    /** Extent state: not allocated. */
    public static final long STATE_HOLE = 0x1;
    /** Extent state: reads as zeros. */
    public static final long STATE_ZERO = 0x2;

    /** Creates an unwrapped flyweight. */
    public BlockStatusResponse() {
        super(Layout.EXTENTS, ENTRY_LENGTH);
    }

    /**
     * Returns where an extent starts.
     *
     * @param index the extent index
     * @return the byte offset in the volume, unsigned
     */
    public long extentOffset(int index) {
        return u64(entryAt(index), "extentOffset");
    }

    /**
     * Returns the length of an extent.
     *
     * @param index the extent index
     * @return the length in bytes, unsigned 32 bits
     */
    public long extentLength(int index) {
        return u32(entryAt(index) + 8, "extentLength");
    }

    /**
     * Returns the state of an extent.
     *
     * @param index the extent index
     * @return a combination of {@link #STATE_HOLE} and {@link #STATE_ZERO}; 0 is allocated data
     */
    public long extentState(int index) {
        return u32(entryAt(index) + 12, "extentState");
    }

    /**
     * Appends an extent.
     *
     * @param offset where it starts in the volume
     * @param length its length in bytes
     * @param state a combination of {@link #STATE_HOLE} and {@link #STATE_ZERO}
     * @return this flyweight
     */
    public BlockStatusResponse addExtent(long offset, long length, long state) {
        int at = appendEntry();
        putU64(at, offset, "extentOffset");
        putU32(at + 8, length, "extentLength");
        putU32(at + 12, state, "extentState");
        return this;
    }

    @Override
    protected void describe(StringBuilder description) {
        super.describe(description);
        for (int i = 0; i < entryCount(); i++) {
            description.append(" [").append(Long.toUnsignedString(extentOffset(i))).append('+')
                    .append(extentLength(i)).append(" state=").append(extentState(i)).append(']');
        }
    }
}

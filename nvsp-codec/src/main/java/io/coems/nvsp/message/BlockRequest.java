package io.coems.nvsp.message;

/**
 * READ, FLUSH, TRIM, WRITE_ZEROES and BLOCK_STATUS: a byte range of a volume and flags, no data.
 * For FLUSH, offset 0 and length 0 mean the whole volume.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------+-------------------------------+
 * |      type = 0x0101..0x0106    |       blockLength = 24        |  0
 * +-------------------------------+-------------------------------+
 * |                         volumeId (64)                         |  4
 * +---------------------------------------------------------------+
 * |                          offset (64)                          | 12
 * +---------------------------------------------------------------+
 * |                            length                             | 20
 * +---------------------------------------------------------------+
 * |                             flags                             | 24
 * +---------------------------------------------------------------+
 * </pre>
 */
public final class BlockRequest extends RangeRequest<BlockRequest> {
    /** Size of the version-1 block. */
    public static final int BLOCK_LENGTH = 24;

    /** Creates an unwrapped flyweight. */
    public BlockRequest() {
        super(Layout.BLOCK, null);
    }

    /**
     * Sets the length of the range.
     *
     * @param length the length in bytes, unsigned 32 bits
     * @return this flyweight
     */
    public BlockRequest length(long length) {
        putU32(LENGTH_AT, length, "length");
        return this;
    }
}

package io.coems.nvsp.message;

/**
 * READ_RESPONSE: the status and the data read, {@code length} bytes after the block, with its
 * CRC-32C. A 64 KiB read travels in fragments.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------+-------------------------------+
 * |         type = 0x8101         |       blockLength = 16        |  0
 * +-------------------------------+-------------------------------+
 * |                            status                             |  4
 * +---------------------------------------------------------------+
 * |                            length                             |  8
 * +---------------------------------------------------------------+
 * |                        crc32c of data                         | 12
 * +---------------------------------------------------------------+
 * |                           reserved                            | 16
 * +---------------------------------------------------------------+
 * |                     data (length bytes) ...                   | 20
 * +---------------------------------------------------------------+
 * </pre>
 */
public final class ReadResponse extends Response<ReadResponse> {
    /** Size of the version-1 block. */
    public static final int BLOCK_LENGTH = 16;

    /** Creates an unwrapped flyweight. */
    public ReadResponse() {
        super(Layout.DATA, new Payload(BLOCK + 4, BLOCK + 8));
    }

    /**
     * Returns the data read.
     *
     * @return the payload view, reused across wraps
     */
    public Payload data() {
        return payload();
    }

    @Override
    protected void describe(StringBuilder description) {
        super.describe(description);
        description.append(" length=").append(payload().length())
                .append(" crc32c=").append(Integer.toHexString(payload().checksum()));
    }
}

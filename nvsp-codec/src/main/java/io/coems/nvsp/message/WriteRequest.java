package io.coems.nvsp.message;

/**
 * WRITE: a byte range of a volume, flags ({@link #FLAG_FUA}) and the data, {@code length} bytes
 * after the block, with its CRC-32C. A 64 KiB write travels in fragments; the receiver applies
 * it only once reassembled and {@link Payload#verify()} passed.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------+-------------------------------+
 * |         type = 0x0102         |       blockLength = 32        |  0
 * +-------------------------------+-------------------------------+
 * |                         volumeId (64)                         |  4
 * +---------------------------------------------------------------+
 * |                          offset (64)                          | 12
 * +---------------------------------------------------------------+
 * |                            length                             | 20
 * +---------------------------------------------------------------+
 * |                             flags                             | 24
 * +---------------------------------------------------------------+
 * |                        crc32c of data                         | 28
 * +---------------------------------------------------------------+
 * |                           reserved                            | 32
 * +---------------------------------------------------------------+
 * |                     data (length bytes) ...                   | 36
 * +---------------------------------------------------------------+
 * </pre>
 */
public final class WriteRequest extends RangeRequest<WriteRequest> {
    /** Size of the version-1 block. */
    public static final int BLOCK_LENGTH = 32;

    /** Creates an unwrapped flyweight. */
    public WriteRequest() {
        super(Layout.WRITE, new Payload(LENGTH_AT, BLOCK + 24));
    }

    /**
     * Returns the data; its {@link Payload#put} also sets this request's length.
     *
     * @return the payload view, reused across wraps
     */
    public Payload data() {
        return payload();
    }

    @Override
    protected void describe(StringBuilder description) {
        super.describe(description);
        description.append(" crc32c=").append(Integer.toHexString(payload().checksum()));
    }
}

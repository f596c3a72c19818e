package io.coems.nvsp.message;

import io.coems.nvsp.Flyweight;
import io.coems.nvsp.MalformedMessageException;
import io.coems.nvsp.UnsupportedMessageTypeException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * The 4-byte header in front of every message body: what the message is and how long its fixed
 * block is. Wrap it to dispatch on the type before choosing the body flyweight.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------+-------------------------------+
 * |             type              |          blockLength          |  0
 * +-------------------------------+-------------------------------+
 * |        fixed block (blockLength bytes) ...                    |  4
 * +---------------------------------------------------------------+
 * |        variable data (lengths given by block fields) ...      |
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <p>{@code blockLength} is the size of the fixed block as the sender wrote it. A newer sender
 * appends fields, so the block may be longer than this codec's: the reader skips the rest and
 * finds the variable data at {@code 4 + blockLength}.
 */
public final class MessageHeader extends Flyweight {
    /** Size of the header in bytes. */
    public static final int LENGTH = 4;

    private static final int TYPE_AT = 0;
    private static final int BLOCK_LENGTH_AT = 2;

    private MessageType type;

    /** Creates an unwrapped header flyweight. */
    public MessageHeader() {
    }

    /**
     * Wraps a received message and validates its header.
     *
     * @param segment the memory holding the message
     * @param offset where the message starts
     * @param length the bytes available for the message
     * @return this flyweight
     * @throws MalformedMessageException if the header or the block is truncated
     * @throws UnsupportedMessageTypeException if the type is unknown
     */
    public MessageHeader wrap(MemorySegment segment, long offset, int length) {
        attach(segment, offset, length);
        checkRead(0, LENGTH, "header");
        type = MessageType.of(u16(TYPE_AT, "type"));
        checkRead(LENGTH, blockLength(), "blockLength");
        return this;
    }

    /**
     * Wraps a received message held in a buffer; see {@link #wrap(MemorySegment, long, int)}.
     *
     * @param buffer the buffer, indexed absolutely
     * @param offset where the message starts
     * @param length the bytes available for the message
     * @return this flyweight
     */
    public MessageHeader wrap(ByteBuffer buffer, int offset, int length) {
        return wrap(segmentOf(buffer), offset, length);
    }

    /**
     * Writes a header.
     *
     * @param segment the memory to write into
     * @param offset where the message starts
     * @param capacity the room available for the whole message
     * @param type the message type
     * @param blockLength the size of the fixed block that follows
     * @return this flyweight
     */
    public MessageHeader encode(MemorySegment segment, long offset, int capacity, MessageType type,
            int blockLength) {
        attach(segment, offset, capacity);
        checkWrite(0, LENGTH + (long) blockLength, "blockLength");
        putU16(TYPE_AT, type.code(), "type");
        putU16(BLOCK_LENGTH_AT, blockLength, "blockLength");
        this.type = type;
        return this;
    }

    /**
     * Returns the message type.
     *
     * @return the type decoded or encoded last
     */
    public MessageType type() {
        return type;
    }

    /**
     * Returns the size of the fixed block.
     *
     * @return the block length in bytes
     */
    public int blockLength() {
        return u16(BLOCK_LENGTH_AT, "blockLength");
    }
}

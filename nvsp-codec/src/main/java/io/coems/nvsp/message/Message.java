package io.coems.nvsp.message;

import io.coems.nvsp.EncodingException;
import io.coems.nvsp.Flyweight;
import io.coems.nvsp.MalformedMessageException;
import io.coems.nvsp.SecurityMode;
import io.coems.nvsp.UnsupportedMessageTypeException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The base of every body flyweight: a {@link MessageHeader} followed by the fixed block of one
 * {@link Layout} and the variable data that block describes.
 *
 * <p>{@code wrap} decodes: it validates the header, the type against the layout, the block
 * length and the lengths of the variable data against the received length, so every accessor
 * afterwards stays inside the message. {@code encode} starts a message: header written, block
 * zeroed, no variable data; setters then fill it in and {@link #encodedLength()} tells how many
 * bytes were written.
 *
 * @param <M> the concrete flyweight, returned by the fluent methods
 */
public abstract class Message<M extends Message<M>> extends Flyweight {
    /** Offset of the fixed block in the message: right after the message header. */
    protected static final int BLOCK = MessageHeader.LENGTH;

    private final MessageHeader header = new MessageHeader();
    private final Layout layout;
    private final Payload payload;

    /**
     * Creates an unwrapped flyweight for a layout without data.
     *
     * @param layout the layout this flyweight decodes and encodes
     */
    protected Message(Layout layout) {
        this(layout, null);
    }

    /**
     * Creates an unwrapped flyweight for a layout whose variable data is a {@link Payload}.
     *
     * @param layout the layout this flyweight decodes and encodes
     * @param payload the view of the data, or null when the layout has none
     */
    protected Message(Layout layout, Payload payload) {
        this.layout = layout;
        this.payload = payload;
    }

    /**
     * Wraps a received message and validates it.
     *
     * @param segment the memory holding the message
     * @param offset where the message starts
     * @param length the bytes available for the message (trailing bytes are ignored)
     * @return this flyweight
     * @throws MalformedMessageException if the message is truncated, inconsistent, or of a
     *     type with another layout
     * @throws UnsupportedMessageTypeException if the type is unknown
     */
    public final M wrap(MemorySegment segment, long offset, int length) {
        header.wrap(segment, offset, length);
        MessageType type = header.type();
        if (type.layout() != layout) {
            throw new MalformedMessageException("type", offset, type + " is not a " + layout + " message");
        }
        if (header.blockLength() < layout.blockLength()) {
            throw new MalformedMessageException("blockLength", offset + 2,
                    header.blockLength() + " is below the " + layout.blockLength() + " bytes of " + type);
        }
        attach(segment, offset, length);
        bindPayload();
        validate();
        checkRead(0, variableOffset() + variableLength(), "variableData");
        return self();
    }

    /**
     * Wraps a received message held in a buffer; see {@link #wrap(MemorySegment, long, int)}.
     *
     * @param buffer the buffer, indexed absolutely
     * @param offset where the message starts
     * @param length the bytes available for the message
     * @return this flyweight
     */
    public final M wrap(ByteBuffer buffer, int offset, int length) {
        return wrap(segmentOf(buffer), offset, length);
    }

    /**
     * Starts a message: header written, fixed block zeroed, no variable data.
     *
     * @param segment the memory to write into
     * @param offset where the message starts
     * @param capacity the room available for the whole message
     * @param type the message type, one of this flyweight's layout
     * @return this flyweight
     * @throws EncodingException if the type has another layout or the block does not fit
     */
    public final M encode(MemorySegment segment, long offset, int capacity, MessageType type) {
        if (type.layout() != layout) {
            throw new EncodingException("type", type + " is not a " + layout + " message");
        }
        header.encode(segment, offset, capacity, type, layout.blockLength());
        attach(segment, offset, capacity);
        zero(BLOCK, layout.blockLength(), "block");
        bindPayload();
        startEncoding();
        return self();
    }

    /**
     * Starts a message in a buffer; see {@link #encode(MemorySegment, long, int, MessageType)}.
     *
     * @param buffer the buffer, indexed absolutely
     * @param offset where the message starts
     * @param capacity the room available for the whole message
     * @param type the message type
     * @return this flyweight
     */
    public final M encode(ByteBuffer buffer, int offset, int capacity, MessageType type) {
        return encode(segmentOf(buffer), offset, capacity, type);
    }

    /**
     * Returns the message type.
     *
     * @return the type
     */
    public final MessageType type() {
        return header.type();
    }

    /**
     * Returns the size of the fixed block as the sender wrote it.
     *
     * @return the block length in bytes, at least the layout's
     */
    public final int blockLength() {
        return header.blockLength();
    }

    /**
     * Returns the size of the whole message: header, block and variable data.
     *
     * @return the length in bytes
     */
    public final int encodedLength() {
        return Math.toIntExact(variableOffset() + variableLength());
    }

    /**
     * Returns where the variable data starts in the message: after the block as the sender
     * wrote it, so fields appended by a newer version are skipped.
     *
     * @return the offset in the message
     */
    protected final int variableOffset() {
        return BLOCK + header.blockLength();
    }

    /**
     * Returns the length of the variable data as the block fields give it: the payload length,
     * or 0 without payload, unless overridden.
     *
     * @return the length in bytes
     */
    protected long variableLength() {
        return payload == null ? 0 : payload.length();
    }

    /**
     * Returns the data this message carries.
     *
     * @return the payload view, or null when the layout has none
     */
    protected final Payload payload() {
        return payload;
    }

    private void bindPayload() {
        if (payload != null) {
            payload.bind(this, variableOffset());
        }
    }

    /**
     * Checks the block fields that describe the variable data; runs in {@code wrap} before the
     * variable data is bounds-checked. Does nothing unless overridden.
     */
    protected void validate() {
    }

    /** Writes the block fields a new message needs besides zeros. Does nothing unless overridden. */
    protected void startEncoding() {
    }

    /**
     * Appends the fields of this message to a description.
     *
     * @param description the text built by {@link #toString()}
     */
    protected abstract void describe(StringBuilder description);

    /**
     * Copies the whole message with one field zeroed: the bytes a handshake proof covers.
     *
     * @param excludedAt offset in the message of the field left out (the proof itself)
     * @param excludedLength length of that field
     * @return a new array of {@link #encodedLength()} bytes
     */
    protected final byte[] transcript(int excludedAt, int excludedLength) {
        byte[] copy = new byte[encodedLength()];
        getBytes(0, copy, "message");
        Arrays.fill(copy, excludedAt, excludedAt + excludedLength, (byte) 0);
        return copy;
    }

    /**
     * Reads a security mode byte.
     *
     * @param at offset in the message
     * @return the mode
     * @throws MalformedMessageException if the byte names no mode
     */
    protected final SecurityMode securityModeAt(int at) {
        int code = u8(at, "securityMode");
        SecurityMode mode = SecurityMode.ofCode(code);
        if (mode == null) {
            throw new MalformedMessageException("securityMode", offset() + at, "unknown mode " + code);
        }
        return mode;
    }

    /**
     * Returns this flyweight with its concrete type, for fluent setters.
     *
     * @return this
     */
    @SuppressWarnings("unchecked")
    protected final M self() {
        return (M) this;
    }

    /** Describes the message for logs and test vectors; allocates. */
    @Override
    public final String toString() {
        StringBuilder description = new StringBuilder(type().name());
        describe(description);
        return description.toString();
    }
}

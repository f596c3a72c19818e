package io.coems.nvsp.frame;

import io.coems.nvsp.EncodingException;
import io.coems.nvsp.Flyweight;
import io.coems.nvsp.MalformedMessageException;
import io.coems.nvsp.UnsupportedVersionException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * The transport frame header that starts every datagram, followed by the payload (a whole
 * message, or one fragment of it) and, on a protected session, a 16-byte authentication tag.
 * All fields little-endian and unsigned.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------+---------------+-------------------------------+
 * |    version    |     flags     |          frameLength          |  0
 * +---------------+---------------+-------------------------------+
 * |         fragmentIndex         |         fragmentCount         |  4
 * +-------------------------------+-------------------------------+
 * |                          sessionId (64)                       |  8
 * +---------------------------------------------------------------+
 * |                          sequence (64)                        | 16
 * +---------------------------------------------------------------+
 * |                          requestId (64)                       | 24
 * +---------------------------------------------------------------+
 * |                        fragmentOffset                         | 32
 * +---------------------------------------------------------------+
 * |                            credits                            | 36
 * +---------------------------------------------------------------+
 * |              payload (frameLength - 40 - tag bytes)          ... 40
 * +---------------------------------------------------------------+
 * |              tag (16 bytes, when flags has AUTHENTICATED)     |
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <p>{@code frameLength} counts the whole datagram: header, payload and tag. The layout of the
 * header is the same in every protocol version, so a receiver can always read the version.
 * Decoding ({@link #wrap}) checks the version, the flags, the lengths and the fragment fields.
 */
public final class FrameHeader extends Flyweight {
    /** Size of the header in bytes. */
    public static final int LENGTH = 40;
    /** Size of the authentication tag that ends a protected datagram. */
    public static final int TAG_LENGTH = 16;
    /** The protocol version this codec writes and reads. */
    public static final int VERSION = 1;
    /** Default maximum datagram size: fits a 1,500-byte MTU with IPv6 and UDP headers to spare. */
    public static final int DEFAULT_MAX_DATAGRAM = 1408;
    /** The smallest maximum datagram a peer negotiates: the datagram every IPv4 host reassembles. */
    public static final int MIN_DATAGRAM = 576;
    /** The largest maximum datagram ever negotiated: the largest UDP payload over IPv4. */
    public static final int MAX_UDP_PAYLOAD = 65_507;
    /** The largest message every receiver reassembles (spec 7): 64 KiB of data and 1 KiB for the rest. */
    public static final int MAX_MESSAGE = (64 << 10) + 1024;
    /** Flag: the datagram ends with an authentication tag. */
    public static final int FLAG_AUTHENTICATED = 0x01;
    /** Flag: the payload is encrypted; only valid together with {@link #FLAG_AUTHENTICATED}. */
    public static final int FLAG_ENCRYPTED = 0x02;

    private static final int KNOWN_FLAGS = FLAG_AUTHENTICATED | FLAG_ENCRYPTED;
    private static final int VERSION_AT = 0;
    private static final int FLAGS_AT = 1;
    private static final int FRAME_LENGTH_AT = 2;
    private static final int FRAGMENT_INDEX_AT = 4;
    private static final int FRAGMENT_COUNT_AT = 6;
    private static final int SESSION_ID_AT = 8;
    private static final int SEQUENCE_AT = 16;
    private static final int REQUEST_ID_AT = 24;
    private static final int FRAGMENT_OFFSET_AT = 32;
    private static final int CREDITS_AT = 36;

    /** Creates an unwrapped header flyweight. */
    public FrameHeader() {
    }

    /**
     * Wraps a received datagram and validates the header.
     *
     * @param segment the memory holding the datagram
     * @param offset where the datagram starts
     * @param length the received length
     * @return this flyweight
     * @throws MalformedMessageException if the header is truncated or inconsistent
     * @throws UnsupportedVersionException if the version is not {@link #VERSION}
     */
    public FrameHeader wrap(MemorySegment segment, long offset, int length) {
        attach(segment, offset, length);
        checkRead(0, LENGTH, "header");
        int version = version();
        if (version != VERSION) {
            throw new UnsupportedVersionException(version);
        }
        int flags = flags();
        if ((flags & ~KNOWN_FLAGS) != 0 || flags == FLAG_ENCRYPTED) {
            throw new MalformedMessageException("flags", offset + FLAGS_AT, "invalid flags 0x" + Integer.toHexString(flags));
        }
        int frameLength = frameLength();
        if (frameLength < LENGTH + tagLength() || frameLength > length) {
            throw new MalformedMessageException("frameLength", offset + FRAME_LENGTH_AT,
                    frameLength + " is outside " + (LENGTH + tagLength()) + ".." + length);
        }
        if (fragmentCount() == 0 || fragmentIndex() >= fragmentCount()) {
            throw new MalformedMessageException("fragmentIndex", offset + FRAGMENT_INDEX_AT,
                    "fragment " + fragmentIndex() + " of " + fragmentCount());
        }
        return this;
    }

    /**
     * Wraps a received datagram held in a buffer; see {@link #wrap(MemorySegment, long, int)}.
     *
     * @param buffer the buffer, indexed absolutely
     * @param offset where the datagram starts
     * @param length the received length
     * @return this flyweight
     */
    public FrameHeader wrap(ByteBuffer buffer, int offset, int length) {
        return wrap(segmentOf(buffer), offset, length);
    }

    /**
     * Starts a datagram: writes a header with {@link #VERSION}, no flags, fragment 0 of 1 and a
     * {@code frameLength} of {@link #LENGTH} (an empty payload); every other field is zero.
     *
     * @param segment the memory to write into
     * @param offset where the datagram starts
     * @param capacity the room available for the whole datagram
     * @return this flyweight
     */
    public FrameHeader encode(MemorySegment segment, long offset, int capacity) {
        attach(segment, offset, capacity);
        zero(0, LENGTH, "header");
        putU8(VERSION_AT, VERSION, "version");
        frameLength(LENGTH);
        return fragment(0, 1, 0);
    }

    /**
     * Starts a datagram in a buffer; see {@link #encode(MemorySegment, long, int)}.
     *
     * @param buffer the buffer, indexed absolutely
     * @param offset where the datagram starts
     * @param capacity the room available for the whole datagram
     * @return this flyweight
     */
    public FrameHeader encode(ByteBuffer buffer, int offset, int capacity) {
        return encode(segmentOf(buffer), offset, capacity);
    }

    /**
     * Returns the protocol version.
     *
     * @return the version, 0 to 255
     */
    public int version() {
        return u8(VERSION_AT, "version");
    }

    /**
     * Returns the flags.
     *
     * @return a combination of {@link #FLAG_AUTHENTICATED} and {@link #FLAG_ENCRYPTED}
     */
    public int flags() {
        return u8(FLAGS_AT, "flags");
    }

    /**
     * Sets the flags.
     *
     * @param flags a combination of {@link #FLAG_AUTHENTICATED} and {@link #FLAG_ENCRYPTED}
     * @return this flyweight
     */
    public FrameHeader flags(int flags) {
        putU8(FLAGS_AT, flags, "flags");
        return this;
    }

    /**
     * Returns the length of the whole datagram: header, payload and tag.
     *
     * @return the length in bytes
     */
    public int frameLength() {
        return u16(FRAME_LENGTH_AT, "frameLength");
    }

    /**
     * Sets the length of the whole datagram.
     *
     * @param frameLength header, payload and tag, in bytes
     * @return this flyweight
     */
    public FrameHeader frameLength(int frameLength) {
        checkWrite(0, frameLength, "frameLength");
        putU16(FRAME_LENGTH_AT, frameLength, "frameLength");
        return this;
    }

    /**
     * Returns the index of this fragment, 0 for an unfragmented message.
     *
     * @return the index, below {@link #fragmentCount()}
     */
    public int fragmentIndex() {
        return u16(FRAGMENT_INDEX_AT, "fragmentIndex");
    }

    /**
     * Returns the number of fragments of the message, 1 when it is not fragmented.
     *
     * @return the count, 1 to 65535
     */
    public int fragmentCount() {
        return u16(FRAGMENT_COUNT_AT, "fragmentCount");
    }

    /**
     * Returns where this fragment's payload starts in the reassembled message.
     *
     * @return the byte offset, 0 for an unfragmented message
     */
    public long fragmentOffset() {
        return u32(FRAGMENT_OFFSET_AT, "fragmentOffset");
    }

    /**
     * Sets the fragment fields.
     *
     * @param index the fragment index, below {@code count}
     * @param count the number of fragments, at least 1
     * @param fragmentOffset where this fragment's payload goes in the reassembled message
     * @return this flyweight
     */
    public FrameHeader fragment(int index, int count, long fragmentOffset) {
        if (count == 0 || index >= count) {
            throw new EncodingException("fragmentIndex", "fragment " + index + " of " + count);
        }
        putU16(FRAGMENT_INDEX_AT, index, "fragmentIndex");
        putU16(FRAGMENT_COUNT_AT, count, "fragmentCount");
        putU32(FRAGMENT_OFFSET_AT, fragmentOffset, "fragmentOffset");
        return this;
    }

    /**
     * Returns the session id, 0 during the handshake.
     *
     * @return the session id
     */
    public long sessionId() {
        return u64(SESSION_ID_AT, "sessionId");
    }

    /**
     * Sets the session id.
     *
     * @param sessionId the id the server assigned in ACCEPT, 0 before
     * @return this flyweight
     */
    public FrameHeader sessionId(long sessionId) {
        putU64(SESSION_ID_AT, sessionId, "sessionId");
        return this;
    }

    /**
     * Returns the packet sequence: per direction, strictly increasing, unsigned.
     *
     * @return the sequence
     */
    public long sequence() {
        return u64(SEQUENCE_AT, "sequence");
    }

    /**
     * Sets the packet sequence. A {@link io.coems.nvsp.crypto.Sealer} sets it itself.
     *
     * @param sequence the sequence, unsigned
     * @return this flyweight
     */
    public FrameHeader sequence(long sequence) {
        putU64(SEQUENCE_AT, sequence, "sequence");
        return this;
    }

    /**
     * Returns the request id that a response echoes.
     *
     * @return the request id, unsigned
     */
    public long requestId() {
        return u64(REQUEST_ID_AT, "requestId");
    }

    /**
     * Sets the request id.
     *
     * @param requestId the request id, unsigned
     * @return this flyweight
     */
    public FrameHeader requestId(long requestId) {
        putU64(REQUEST_ID_AT, requestId, "requestId");
        return this;
    }

    /**
     * Returns the credits: in a server datagram, how many requests the client may have in
     * flight; in a client datagram, how many the client would like.
     *
     * @return the credits, unsigned 32 bits
     */
    public long credits() {
        return u32(CREDITS_AT, "credits");
    }

    /**
     * Sets the credits.
     *
     * @param credits unsigned 32 bits
     * @return this flyweight
     */
    public FrameHeader credits(long credits) {
        putU32(CREDITS_AT, credits, "credits");
        return this;
    }

    /**
     * Returns the length of the authentication tag this datagram ends with.
     *
     * @return {@link #TAG_LENGTH} when authenticated, else 0
     */
    public int tagLength() {
        return (flags() & FLAG_AUTHENTICATED) != 0 ? TAG_LENGTH : 0;
    }

    /**
     * Returns where the payload starts in {@link #segment()}.
     *
     * @return the absolute offset of the payload
     */
    public long payloadOffset() {
        return offset() + LENGTH;
    }

    /**
     * Returns the length of the payload: {@code frameLength} less header and tag.
     *
     * @return the payload length in bytes
     */
    public int payloadLength() {
        return frameLength() - LENGTH - tagLength();
    }

    /**
     * Sets {@code frameLength} for a payload of the given length and the current flags.
     *
     * @param payloadLength the number of payload bytes written after the header
     * @return this flyweight
     */
    public FrameHeader payloadLength(int payloadLength) {
        return frameLength(LENGTH + payloadLength + tagLength());
    }

    @Override
    public String toString() {
        return "frame v" + version() + " flags=" + flags() + " length=" + frameLength()
                + " fragment=" + fragmentIndex() + "/" + fragmentCount() + "@" + fragmentOffset()
                + " session=0x" + Long.toHexString(sessionId())
                + " sequence=" + Long.toUnsignedString(sequence())
                + " request=" + Long.toUnsignedString(requestId()) + " credits=" + credits();
    }
}

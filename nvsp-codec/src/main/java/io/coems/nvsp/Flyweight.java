package io.coems.nvsp;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The base of every encoder and decoder: a view over a region of a {@link MemorySegment}
 * (a received datagram, or a buffer being filled) with bounds-checked little-endian accessors
 * for unsigned fields.
 *
 * <p>A flyweight holds no data of its own: wrapping it over another region costs no allocation,
 * so one instance serves every datagram a thread handles. A read outside the region throws
 * {@link MalformedMessageException}; a write outside it, or of a value its field cannot hold,
 * throws {@link EncodingException}. Unsigned 32-bit fields are returned as {@code long}; unsigned
 * 64-bit fields are returned as the {@code long} with the same bits (compare them with
 * {@link Long#compareUnsigned}).
 *
 * <p>Not thread-safe: use one instance per thread.
 */
public abstract class Flyweight {
    private static final ValueLayout.OfShort U16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private MemorySegment segment = MemorySegment.NULL;
    private long offset;
    private int limit;
    private ByteBuffer lastBuffer;
    private MemorySegment lastBufferSegment;

    /** Creates a flyweight wrapped over nothing: every access fails until it is wrapped. */
    protected Flyweight() {
    }

    /**
     * Points this flyweight at {@code limit} bytes of {@code segment} from {@code offset}.
     *
     * @param segment the memory to view
     * @param offset the start of the region
     * @param limit the number of bytes of the region (received length, or capacity to encode)
     * @throws MalformedMessageException if the region does not lie inside the segment
     */
    protected final void attach(MemorySegment segment, long offset, int limit) {
        if (offset < 0 || limit < 0 || offset > segment.byteSize() - limit) {
            throw new MalformedMessageException("buffer", offset,
                    limit + " bytes do not fit a segment of " + segment.byteSize() + " bytes");
        }
        this.segment = segment;
        this.offset = offset;
        this.limit = limit;
    }

    /**
     * Returns a segment over the whole capacity of {@code buffer}, indexed like the buffer's
     * absolute get and put methods. The segment is cached: wrapping the same buffer again does
     * not allocate.
     *
     * @param buffer a heap or direct buffer
     * @return a segment over the buffer from index 0 to its capacity
     */
    protected final MemorySegment segmentOf(ByteBuffer buffer) {
        if (buffer != lastBuffer) {
            lastBufferSegment = MemorySegment.ofBuffer(buffer.duplicate().clear());
            lastBuffer = buffer;
        }
        return lastBufferSegment;
    }

    /**
     * Returns the segment this flyweight is wrapped over.
     *
     * @return the segment, {@link MemorySegment#NULL} before the first wrap
     */
    public final MemorySegment segment() {
        return segment;
    }

    /**
     * Returns where the wrapped region starts in {@link #segment()}.
     *
     * @return the offset in bytes
     */
    public final long offset() {
        return offset;
    }

    /**
     * Returns the size of the wrapped region: the received length when decoding, the capacity
     * when encoding.
     *
     * @return the size in bytes
     */
    public final int limit() {
        return limit;
    }

    /**
     * Reads an unsigned byte.
     *
     * @param at offset in the region
     * @param field field name for error reports
     * @return the value, 0 to 255
     */
    protected final int u8(int at, String field) {
        checkRead(at, 1, field);
        return Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, offset + at));
    }

    /**
     * Reads an unsigned 16-bit field.
     *
     * @param at offset in the region
     * @param field field name for error reports
     * @return the value, 0 to 65535
     */
    protected final int u16(int at, String field) {
        checkRead(at, 2, field);
        return Short.toUnsignedInt(segment.get(U16, offset + at));
    }

    /**
     * Reads an unsigned 32-bit field.
     *
     * @param at offset in the region
     * @param field field name for error reports
     * @return the value, 0 to 2<sup>32</sup>-1
     */
    protected final long u32(int at, String field) {
        checkRead(at, 4, field);
        return Integer.toUnsignedLong(segment.get(U32, offset + at));
    }

    /**
     * Reads a 64-bit field; unsigned fields keep their bits.
     *
     * @param at offset in the region
     * @param field field name for error reports
     * @return the value
     */
    protected final long u64(int at, String field) {
        checkRead(at, 8, field);
        return segment.get(U64, offset + at);
    }

    /**
     * Copies bytes of the region into an array.
     *
     * @param at offset in the region
     * @param dst the array, filled entirely
     * @param field field name for error reports
     */
    protected final void getBytes(int at, byte[] dst, String field) {
        checkRead(at, dst.length, field);
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset + at, dst, 0, dst.length);
    }

    /**
     * Writes an unsigned byte.
     *
     * @param at offset in the region
     * @param value 0 to 255
     * @param field field name for error reports
     */
    protected final void putU8(int at, int value, String field) {
        checkRange(value, 0xFF, field);
        checkWrite(at, 1, field);
        segment.set(ValueLayout.JAVA_BYTE, offset + at, (byte) value);
    }

    /**
     * Writes an unsigned 16-bit field.
     *
     * @param at offset in the region
     * @param value 0 to 65535
     * @param field field name for error reports
     */
    protected final void putU16(int at, int value, String field) {
        checkRange(value, 0xFFFF, field);
        checkWrite(at, 2, field);
        segment.set(U16, offset + at, (short) value);
    }

    /**
     * Writes an unsigned 32-bit field.
     *
     * @param at offset in the region
     * @param value 0 to 2<sup>32</sup>-1
     * @param field field name for error reports
     */
    protected final void putU32(int at, long value, String field) {
        checkRange(value, 0xFFFF_FFFFL, field);
        checkWrite(at, 4, field);
        segment.set(U32, offset + at, (int) value);
    }

    /**
     * Writes a 64-bit field.
     *
     * @param at offset in the region
     * @param value any bits
     * @param field field name for error reports
     */
    protected final void putU64(int at, long value, String field) {
        checkWrite(at, 8, field);
        segment.set(U64, offset + at, value);
    }

    /**
     * Copies an array into the region.
     *
     * @param at offset in the region
     * @param src the bytes to write
     * @param expectedLength the exact length the field requires, or -1 for any length
     * @param field field name for error reports
     */
    protected final void putBytes(int at, byte[] src, int expectedLength, String field) {
        if (expectedLength >= 0 && src.length != expectedLength) {
            throw new EncodingException(field, "needs " + expectedLength + " bytes, got " + src.length);
        }
        checkWrite(at, src.length, field);
        MemorySegment.copy(src, 0, segment, ValueLayout.JAVA_BYTE, offset + at, src.length);
    }

    /**
     * Fills part of the region with zeros.
     *
     * @param at offset in the region
     * @param length number of bytes
     * @param field field name for error reports
     */
    protected final void zero(int at, int length, String field) {
        checkWrite(at, length, field);
        for (long i = offset + at, end = i + length; i < end; i++) {
            segment.set(ValueLayout.JAVA_BYTE, i, (byte) 0);
        }
    }

    /**
     * Fails unless {@code length} bytes from {@code at} lie inside the region.
     *
     * @param at offset in the region
     * @param length number of bytes to be read
     * @param field field name for error reports
     * @throws MalformedMessageException if they do not
     */
    protected final void checkRead(long at, long length, String field) {
        if (at < 0 || length < 0 || at > limit - length) {
            throw new MalformedMessageException(field, offset + at,
                    "needs " + length + " bytes, the region ends at " + (offset + limit));
        }
    }

    /**
     * Fails unless {@code length} bytes from {@code at} fit inside the region.
     *
     * @param at offset in the region
     * @param length number of bytes to be written
     * @param field field name for error reports
     * @throws EncodingException if they do not
     */
    protected final void checkWrite(long at, long length, String field) {
        if (at < 0 || length < 0 || at > limit - length) {
            throw new EncodingException(field, "no room for " + length + " bytes at " + at
                    + " in a region of " + limit);
        }
    }

    private static void checkRange(long value, long max, String field) {
        if (value < 0 || value > max) {
            throw new EncodingException(field, value + " is outside 0.." + max);
        }
    }
}

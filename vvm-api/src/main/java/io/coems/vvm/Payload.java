package io.coems.vvm;

import java.lang.foreign.MemorySegment;
import java.nio.BufferOverflowException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes and reads the little-endian fields of a descriptor payload (at most
 * {@value #MAX} bytes): fixed-width numbers, and strings as a u16 byte length followed by
 * UTF-8. Not thread-safe.
 */
final class Payload {
    /** Largest payload SFS stores in one descriptor. */
    static final int MAX = 2036;

    private final ByteBuffer buffer;
    /** What a reader reads, for messages. */
    private final String what;

    private Payload(ByteBuffer buffer, String what) {
        this.buffer = buffer.order(ByteOrder.LITTLE_ENDIAN);
        this.what = what;
    }

    /** Bytes of the header every record starts with: version, flags, 6 reserved. */
    static final int HEADER = 8;

    /** A payload to write into, its header written: {@code version}, {@code flags}, reserved zeros. */
    static Payload writer(int version, int flags) {
        Payload out = new Payload(ByteBuffer.allocate(MAX), "a new record");
        out.buffer.put((byte) version).put((byte) flags).position(HEADER);
        return out;
    }

    /**
     * A payload to read from, positioned after its header. Its reads throw
     * {@link PoolCorruptException} naming {@code what} if the payload ends too soon.
     *
     * @throws PoolFormatException if the header's version is not {@code version}
     */
    static Payload reader(byte[] bytes, int version, String what) {
        Payload in = new Payload(ByteBuffer.wrap(bytes), what);
        int found = in.u8();
        if (found != version) {
            throw new PoolFormatException(what + " has record version " + found + "; this code reads version " + version);
        }
        in.buffer.position(HEADER);
        return in;
    }

    /** The flags byte of the header. */
    int flags() {
        return Byte.toUnsignedInt(buffer.get(1));
    }

    Payload u8(int value) {
        return put(() -> buffer.put((byte) value));
    }

    Payload u16(int value) {
        return put(() -> buffer.putShort((short) value));
    }

    Payload u64(long value) {
        return put(() -> buffer.putLong(value));
    }

    /** @throws PoolArgumentException if {@code value} is not valid Unicode */
    Payload string(String value) {
        byte[] bytes = Names.checkUnicode(value, "the text").getBytes(StandardCharsets.UTF_8);
        return put(() -> buffer.putShort((short) bytes.length).put(bytes));
    }

    /** A u16 count followed by each key and value as strings. */
    Payload strings(Map<String, String> map) {
        u16(map.size());
        map.forEach((k, v) -> string(k).string(v));
        return this;
    }

    private Payload put(Runnable write) {
        try {
            write.run();
        } catch (BufferOverflowException e) {
            throw new PoolArgumentException("the record is larger than the " + MAX + " bytes a descriptor holds;"
                    + " shorten its name or attributes");
        }
        return this;
    }

    int u8() {
        return get(() -> Byte.toUnsignedInt(buffer.get()));
    }

    int u16() {
        return get(() -> Short.toUnsignedInt(buffer.getShort()));
    }

    long u64() {
        return get(buffer::getLong);
    }

    String string() {
        byte[] bytes = new byte[u16()];
        get(() -> buffer.get(bytes));
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private <T> T get(java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (BufferUnderflowException e) {
            throw new PoolCorruptException(what + " is cut short: its record of " + buffer.limit()
                    + " bytes ends inside a field at byte " + buffer.position());
        }
    }

    Map<String, String> strings() {
        int n = u16();
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            map.put(string(), string());
        }
        return map;
    }

    /** The bytes written so far. */
    MemorySegment segment() {
        return MemorySegment.ofArray(java.util.Arrays.copyOf(buffer.array(), buffer.position()));
    }
}

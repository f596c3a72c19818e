package io.coems.nvsp.message;

import io.coems.nvsp.ChecksumMismatchException;
import io.coems.nvsp.Flyweight;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The data a WRITE or a READ_RESPONSE carries after its block, with its length and CRC-32C
 * kept in block fields of the owning message. Obtained from the owner, which points it at the
 * data whenever it is wrapped. The checksum is computed in place, through a cached
 * {@link ByteBuffer} view of the message memory (so {@link CRC32C} uses its intrinsic on direct
 * memory); checking it allocates nothing once the memory has been seen.
 */
public final class Payload extends Flyweight {
    private final int lengthAt;
    private final int checksumAt;
    private final CRC32C crc = new CRC32C();
    private int dataAt;
    private MemorySegment viewed;
    private ByteBuffer view;

    Payload(int lengthAt, int checksumAt) {
        this.lengthAt = lengthAt;
        this.checksumAt = checksumAt;
    }

    void bind(Message<?> owner, int dataAt) {
        attach(owner.segment(), owner.offset(), owner.limit());
        this.dataAt = dataAt;
    }

    /**
     * Returns the length of the data.
     *
     * @return the length in bytes, unsigned 32 bits
     */
    public long length() {
        return u32(lengthAt, "length");
    }

    /**
     * Returns where the data starts in {@link #segment()}.
     *
     * @return the absolute offset
     */
    public long dataOffset() {
        return offset() + dataAt;
    }

    /**
     * Returns the CRC-32C of the data as the sender computed it.
     *
     * @return the checksum
     */
    public int checksum() {
        return (int) u32(checksumAt, "checksum");
    }

    /**
     * Copies the data out.
     *
     * @param dst the destination
     * @param dstOffset where to put the first byte
     */
    public void copyTo(MemorySegment dst, long dstOffset) {
        long length = length();
        checkRead(dataAt, length, "data");
        MemorySegment.copy(segment(), dataOffset(), dst, dstOffset, length);
    }

    /**
     * Writes the data: copies it after the block, sets the length and the CRC-32C.
     *
     * @param src the data
     * @param srcOffset where it starts
     * @param length how many bytes
     */
    public void put(MemorySegment src, long srcOffset, int length) {
        checkWrite(dataAt, length, "data");
        MemorySegment.copy(src, srcOffset, segment(), dataOffset(), length);
        putInPlace(length);
    }

    /**
     * Declares data already written in place: {@code length} bytes stored at
     * {@link #dataOffset()} by the caller (read straight from a volume into the message, say).
     * Sets the length and the CRC-32C without copying anything.
     *
     * @param length how many bytes of data follow the block
     */
    public void putInPlace(int length) {
        checkWrite(dataAt, length, "data");
        putU32(lengthAt, length, "length");
        putU32(checksumAt, Integer.toUnsignedLong(compute()), "checksum");
    }

    /**
     * Checks the data against its checksum; a receiver applies data only after this passes.
     *
     * @throws ChecksumMismatchException if the data was altered
     */
    public void verify() {
        int actual = compute();
        if (actual != checksum()) {
            throw new ChecksumMismatchException(checksum(), actual);
        }
    }

    private int compute() {
        long length = length();
        checkRead(dataAt, length, "data");
        crc.reset();
        crc.update(bytes(dataOffset(), (int) length));
        return (int) crc.getValue();
    }

    /** A buffer over {@code length} bytes of the segment at {@code at}, from the cached view. */
    private ByteBuffer bytes(long at, int length) {
        MemorySegment segment = segment();
        if (segment.byteSize() > Integer.MAX_VALUE) {
            return segment.asSlice(at, length).asByteBuffer();
        }
        if (segment != viewed) {
            view = segment.asByteBuffer();
            viewed = segment;
        }
        return view.clear().position((int) at).limit((int) at + length);
    }
}

package io.coems.nvsp.message;

import io.coems.nvsp.ChecksumMismatchException;
import io.coems.nvsp.Flyweight;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.zip.CRC32C;

/**
 * The data a WRITE or a READ_RESPONSE carries after its block, with its length and CRC-32C
 * kept in block fields of the owning message. Obtained from the owner, which points it at the
 * data whenever it is wrapped; checking the checksum allocates nothing.
 */
public final class Payload extends Flyweight {
    private static final int SCRATCH_LENGTH = 1024;

    private final int lengthAt;
    private final int checksumAt;
    private final CRC32C crc = new CRC32C();
    private final byte[] scratch = new byte[SCRATCH_LENGTH];
    private int dataAt;

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
        long remaining = length();
        checkRead(dataAt, remaining, "data");
        crc.reset();
        for (long at = dataOffset(); remaining > 0; ) {
            int chunk = (int) Math.min(remaining, SCRATCH_LENGTH);
            MemorySegment.copy(segment(), ValueLayout.JAVA_BYTE, at, scratch, 0, chunk);
            crc.update(scratch, 0, chunk);
            at += chunk;
            remaining -= chunk;
        }
        return (int) crc.getValue();
    }
}

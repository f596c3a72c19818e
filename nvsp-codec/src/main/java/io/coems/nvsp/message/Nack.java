package io.coems.nvsp.message;

import io.coems.nvsp.MalformedMessageException;

/**
 * NACK: the receiver of a fragmented message names the fragments it is missing; the sender
 * sends those again. The frame's request id names the message. Bit {@code i} of the bitmap
 * (byte {@code i / 8}, bit {@code i % 8}, least significant first) set means fragment {@code i}
 * is missing. Never answered.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------+-------------------------------+
 * |         type = 0x0005         |        blockLength = 4        |  0
 * +-------------------------------+-------------------------------+
 * |         fragmentCount         |           reserved            |  4
 * +-------------------------------+-------------------------------+
 * |       missing bitmap (ceil(fragmentCount / 8) bytes) ...      |  8
 * +---------------------------------------------------------------+
 * </pre>
 */
public final class Nack extends Message<Nack> {
    /** Size of the version-1 block. */
    public static final int BLOCK_LENGTH = 4;

    private static final int FRAGMENT_COUNT_AT = BLOCK;

    /** Creates an unwrapped flyweight. */
    public Nack() {
        super(Layout.NACK);
    }

    @Override
    protected long variableLength() {
        return (fragmentCount() + 7) / 8;
    }

    /**
     * Returns the number of fragments of the message the bitmap covers.
     *
     * @return the count
     */
    public int fragmentCount() {
        return u16(FRAGMENT_COUNT_AT, "fragmentCount");
    }

    /**
     * Sets the number of fragments and clears the bitmap: nothing missing yet.
     *
     * @param count the fragment count of the message
     * @return this flyweight
     */
    public Nack fragmentCount(int count) {
        checkWrite(variableOffset(), (count + 7) / 8, "bitmap");
        putU16(FRAGMENT_COUNT_AT, count, "fragmentCount");
        zero(variableOffset(), (count + 7) / 8, "bitmap");
        return this;
    }

    /**
     * Tells whether a fragment is missing.
     *
     * @param index the fragment index
     * @return true when its bit is set
     */
    public boolean isMissing(int index) {
        return (u8(bitmapByte(index), "bitmap") & (1 << (index & 7))) != 0;
    }

    /**
     * Marks a fragment missing.
     *
     * @param index the fragment index, below {@link #fragmentCount()}
     * @return this flyweight
     */
    public Nack missing(int index) {
        int at = bitmapByte(index);
        putU8(at, u8(at, "bitmap") | (1 << (index & 7)), "bitmap");
        return this;
    }

    private int bitmapByte(int index) {
        if (index < 0 || index >= fragmentCount()) {
            throw new MalformedMessageException("bitmap", offset() + variableOffset(),
                    "fragment " + index + " of " + fragmentCount());
        }
        return variableOffset() + index / 8;
    }

    @Override
    protected void describe(StringBuilder description) {
        description.append(" fragments=").append(fragmentCount()).append(" missing=[");
        String separator = "";
        for (int i = 0; i < fragmentCount(); i++) {
            if (isMissing(i)) {
                description.append(separator).append(i);
                separator = ",";
            }
        }
        description.append(']');
    }
}

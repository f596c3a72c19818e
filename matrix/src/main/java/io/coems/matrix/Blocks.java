package io.coems.matrix;

import java.lang.foreign.MemorySegment;

/**
 * The geometry every layer shares: 64 KiB blocks made of 4 KiB sectors, and the 30-bit block
 * numbers of the Storage Matrix; plus the one range check that every {@link BlockStore} applies.
 */
public final class Blocks {
    /** Bytes in a block: the unit of allocation and addressing, 64 KiB. */
    public static final int SIZE = 1 << 16;
    /** log2 of {@link #SIZE}. */
    public static final int SHIFT = 16;
    /** Bytes in a sector: the unit that a power cut can tear apart, 4 KiB. */
    public static final int SECTOR_SIZE = 1 << 12;
    /** Bits of a Storage Matrix block number. */
    public static final int ADDRESS_BITS = 30;
    /** Most blocks a Storage Matrix can hold: 2^30 blocks of 64 KiB, 64 TiB. */
    public static final long MAX_MATRIX_BLOCKS = 1L << ADDRESS_BITS;

    /** Most blocks a device can have: 2^47 - 1, the most whose byte count fits a long. */
    public static final long MAX_DEVICE_BLOCKS = Long.MAX_VALUE >>> SHIFT;

    private Blocks() {
    }

    /**
     * Checks the size of a new device: positive, and at most {@link #MAX_DEVICE_BLOCKS}.
     *
     * @throws MatrixArgumentException naming the device and the count
     */
    public static void checkDeviceBlocks(Object device, long blockCount) {
        if (blockCount <= 0) {
            throw new MatrixArgumentException("device " + device + ": block count " + blockCount + " is not positive");
        }
        if (blockCount > MAX_DEVICE_BLOCKS) {
            throw new MatrixArgumentException("device " + device + ": block count " + blockCount
                    + " exceeds the " + MAX_DEVICE_BLOCKS + " blocks whose bytes a long can count");
        }
    }

    /** Bytes in {@code blocks} blocks. */
    public static long bytes(long blocks) {
        return blocks << SHIFT;
    }

    /**
     * Checks an access through {@code segment} as {@link #checkAccess(String, long, long, int, long)}
     * does for its length, and the segment itself: not null, not read-only when the access fills
     * it ({@code into}), its arena not closed.
     *
     * @throws MatrixArgumentException naming the offending value or segment
     */
    public static void checkAccess(String store, long blockCount, long block, int offset, MemorySegment segment,
            boolean into) {
        if (segment == null) {
            throw new MatrixArgumentException((into ? "the destination" : "the source") + " segment of an access to "
                    + store + " is null");
        }
        if (into && segment.isReadOnly()) {
            throw new MatrixArgumentException("the destination of a read from " + store + " is a read-only segment");
        }
        if (!segment.scope().isAlive()) {
            throw new MatrixArgumentException("the " + (into ? "destination" : "source") + " segment of an access to "
                    + store + " belongs to a closed arena");
        }
        checkAccess(store, blockCount, block, offset, segment.byteSize());
    }

    /**
     * Checks an access of {@code length} bytes starting at byte {@code offset} of {@code block}
     * (the range may run on into the following blocks) against a store of {@code blockCount}
     * blocks.
     *
     * @throws MatrixArgumentException naming the offending value, if any part lies outside
     */
    public static void checkAccess(String store, long blockCount, long block, int offset, long length) {
        if (block < 0 || block >= blockCount) {
            throw new MatrixArgumentException(
                    "block " + block + " is outside " + store + " (blocks 0.." + (blockCount - 1) + ")");
        }
        if (offset < 0 || offset >= SIZE) {
            throw new MatrixArgumentException("offset " + offset + " is not inside a block (0.." + (SIZE - 1) + ")");
        }
        if (length < 0) {
            throw new MatrixArgumentException("negative length " + length);
        }
        long end = bytes(block) + offset + length;
        if (end > bytes(blockCount)) {
            throw new MatrixArgumentException("range of " + length + " bytes at block " + block + " offset " + offset
                    + " runs past the end of " + store + " (" + bytes(blockCount) + " bytes)");
        }
    }
}

package io.coems.sfs.format;

import io.coems.matrix.Blocks;
import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

/**
 * A 4 KiB metadata sector (superblock, journal header, journal commit record): an 8-byte magic
 * names its kind, a CRC32C of everything before the last four bytes proves it whole.
 *
 * <pre>
 *   0        8                                              4092     4096
 *   +--------+-----------------------------------------------+--------+
 *   | magic  | fields of the owning layout                   | CRC32C |
 *   +--------+-----------------------------------------------+--------+
 * </pre>
 */
public final class Sector {
    /** Bytes of the magic. */
    public static final int MAGIC_LENGTH = 8;

    private static final int CRC_OFFSET = Blocks.SECTOR_SIZE - 4;

    private Sector() {
    }

    /** A fresh zeroed sector that starts with {@code magic}. */
    public static MemorySegment create(byte[] magic) {
        MemorySegment sector = MemorySegment.ofArray(new byte[Blocks.SECTOR_SIZE]);
        MemorySegment.copy(MemorySegment.ofArray(magic), 0, sector, 0, MAGIC_LENGTH);
        return sector;
    }

    /** Writes the CRC of {@code sector}: call once every field is set. */
    public static void seal(MemorySegment sector) {
        sector.set(LittleEndian.INT, CRC_OFFSET, crc(sector));
    }

    /** Whether {@code sector} starts with {@code magic}, whatever its CRC. */
    public static boolean hasMagic(MemorySegment sector, byte[] magic) {
        return MemorySegment.mismatch(sector, 0, MAGIC_LENGTH, MemorySegment.ofArray(magic), 0, MAGIC_LENGTH) < 0;
    }

    /** Whether {@code sector} starts with {@code magic} and its CRC matches. */
    public static boolean valid(MemorySegment sector, byte[] magic) {
        return hasMagic(sector, magic) && sector.get(LittleEndian.INT, CRC_OFFSET) == crc(sector);
    }

    private static int crc(MemorySegment sector) {
        CRC32C crc = new CRC32C();
        crc.update(sector.asSlice(0, CRC_OFFSET).asByteBuffer());
        return (int) crc.getValue();
    }
}

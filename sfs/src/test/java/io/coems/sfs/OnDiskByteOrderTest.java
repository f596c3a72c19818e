package io.coems.sfs;

import io.coems.matrix.Blocks;
import io.coems.matrix.device.MemoryDevice;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The superblock's integers are little-endian on disk whatever the host (docs/sfs-format.md). */
class OnDiskByteOrderTest {
    /** The unsigned little-endian integer of {@code size} bytes at {@code offset}, assembled byte by byte. */
    private static long le(byte[] bytes, int offset, int size) {
        long value = 0;
        for (int i = size - 1; i >= 0; i--) {
            value = value << 8 | (bytes[offset + i] & 0xff);
        }
        return value;
    }

    @Test
    void theSuperblockIsLittleEndian() {
        MemoryDevice store = new MemoryDevice("le", 512);
        SuperFileSystem.format(store, SfsModelProperties.SMALL).close();
        MemorySegment sector = MemorySegment.ofArray(new byte[Blocks.SECTOR_SIZE]);
        store.read(0, 0, sector);
        byte[] superblock = sector.toArray(ValueLayout.JAVA_BYTE);
        assertEquals("COEMSSFS", new String(superblock, 0, 8, StandardCharsets.US_ASCII));
        assertEquals(1, le(superblock, 8, 4), "format version");
        assertEquals(SfsModelProperties.SMALL.groupBlocks(), le(superblock, 48, 4), "blocks per group");
        assertEquals(SfsModelProperties.SMALL.maxBlocks(), le(superblock, 104, 8), "blocks it may grow to");
        CRC32C crc = new CRC32C();
        crc.update(Arrays.copyOf(superblock, Blocks.SECTOR_SIZE - 4));
        assertEquals(crc.getValue(), le(superblock, Blocks.SECTOR_SIZE - 4, 4), "CRC32C");
    }
}

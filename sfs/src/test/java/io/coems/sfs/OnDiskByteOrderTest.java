package io.coems.sfs;

import io.coems.matrix.Blocks;
import io.coems.matrix.device.MemoryDevice;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The superblock's integers are little-endian on disk whatever the host (docs/sfs-format.md). */
class OnDiskByteOrderTest {
    @Test
    void theSuperblockIsLittleEndian() {
        MemoryDevice store = new MemoryDevice("le", 512);
        SuperFileSystem.format(store, SfsModelProperties.SMALL).close();
        byte[] bytes = new byte[Blocks.SECTOR_SIZE];
        store.read(0, 0, MemorySegment.ofArray(bytes));
        // read through the JDK's ByteBuffer, not the layouts under test
        ByteBuffer superblock = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("COEMSSFS", new String(bytes, 0, 8, StandardCharsets.US_ASCII));
        assertEquals(1, superblock.getInt(8), "format version");
        assertEquals(SfsModelProperties.SMALL.groupBlocks(), superblock.getInt(48), "blocks per group");
        assertEquals(SfsModelProperties.SMALL.maxBlocks(), superblock.getLong(104), "blocks it may grow to");
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, Blocks.SECTOR_SIZE - 4);
        assertEquals((int) crc.getValue(), superblock.getInt(Blocks.SECTOR_SIZE - 4), "CRC32C");
    }
}

package io.coems.matrix;

import io.coems.matrix.device.MemoryDevice;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The member label's integers are little-endian on disk whatever the host (docs/matrix-format.md). */
class OnDiskByteOrderTest {
    /**
     * The label slot (sector 0 or 1 of block 0) with the magic and the highest generation, to be
     * read little-endian through the JDK's {@link ByteBuffer}, not the layouts under test.
     */
    private static ByteBuffer newestLabel(BlockDevice device) {
        ByteBuffer newest = null;
        for (int slot = 0; slot < 2; slot++) {
            byte[] bytes = new byte[Blocks.SECTOR_SIZE];
            device.read(0, slot * Blocks.SECTOR_SIZE, MemorySegment.ofArray(bytes));
            ByteBuffer label = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            if (new String(bytes, 0, 8, StandardCharsets.US_ASCII).equals("COEMSLBL")
                    && (newest == null || label.getLong(32) > newest.getLong(32))) {
                newest = label;
            }
        }
        assertNotNull(newest, "no label");
        return newest;
    }

    @Test
    void theLabelIsLittleEndian() {
        List<BlockDevice> devices = List.of(new MemoryDevice("le0", 18), new MemoryDevice("le1", 18),
                new MemoryDevice("le2", 18));
        try (StorageMatrix matrix = StorageMatrix.create(List.of(TestDevices.spec(RaidMode.RAID5, 2, devices)))) {
            ByteBuffer label = newestLabel(devices.get(2));
            assertEquals(1, label.getShort(8), "format version");
            assertEquals(2, label.getShort(10), "header blocks");
            assertEquals(3, label.getShort(50), "member count");
            assertEquals(2, label.getShort(52), "member index");
            assertEquals(2, label.getInt(56), "stripe unit");
            CRC32C crc = new CRC32C();
            crc.update(label.array(), 0, Blocks.SECTOR_SIZE - 4);
            assertEquals((int) crc.getValue(), label.getInt(Blocks.SECTOR_SIZE - 4), "CRC32C");
        }
    }
}

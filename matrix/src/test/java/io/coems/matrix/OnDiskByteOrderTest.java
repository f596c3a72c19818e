package io.coems.matrix;

import io.coems.matrix.device.MemoryDevice;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The member label's integers are little-endian on disk whatever the host (docs/matrix-format.md). */
class OnDiskByteOrderTest {
    /** The unsigned little-endian integer of {@code size} bytes at {@code offset}, assembled byte by byte. */
    private static long le(byte[] bytes, int offset, int size) {
        long value = 0;
        for (int i = size - 1; i >= 0; i--) {
            value = value << 8 | (bytes[offset + i] & 0xff);
        }
        return value;
    }

    /** The label slot (sector 0 or 1 of block 0) with the magic and the highest generation. */
    private static byte[] newestLabel(BlockDevice device) {
        byte[] newest = null;
        for (int slot = 0; slot < 2; slot++) {
            MemorySegment sector = MemorySegment.ofArray(new byte[Blocks.SECTOR_SIZE]);
            device.read(0, slot * Blocks.SECTOR_SIZE, sector);
            byte[] label = sector.toArray(ValueLayout.JAVA_BYTE);
            if (new String(label, 0, 8, StandardCharsets.US_ASCII).equals("COEMSLBL")
                    && (newest == null || le(label, 32, 8) > le(newest, 32, 8))) {
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
            byte[] label = newestLabel(devices.get(2));
            assertEquals(1, le(label, 8, 2), "format version");
            assertEquals(2, le(label, 10, 2), "header blocks");
            assertEquals(3, le(label, 50, 2), "member count");
            assertEquals(2, le(label, 52, 2), "member index");
            assertEquals(2, le(label, 56, 4), "stripe unit");
            CRC32C crc = new CRC32C();
            crc.update(Arrays.copyOf(label, Blocks.SECTOR_SIZE - 4));
            assertEquals(crc.getValue(), le(label, Blocks.SECTOR_SIZE - 4, 4), "CRC32C");
        }
    }
}

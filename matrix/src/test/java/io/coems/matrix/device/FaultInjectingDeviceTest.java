package io.coems.matrix.device;

import io.coems.matrix.Blocks;
import io.coems.matrix.DeviceHealth;
import io.coems.matrix.MatrixArgumentException;
import io.coems.matrix.MatrixIoException;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fault injector: pending writes, power cuts with torn sectors, failures, byte flips. */
class FaultInjectingDeviceTest {

    private static byte[] filled(int length, int value) {
        byte[] data = new byte[length];
        Arrays.fill(data, (byte) value);
        return data;
    }

    private static byte[] read(io.coems.matrix.BlockDevice device, long block, int offset, int length) {
        byte[] data = new byte[length];
        device.read(block, offset, MemorySegment.ofArray(data));
        return data;
    }

    @Test
    void pendingWritesAreVisibleAndFlushMakesThemDurable() {
        MemoryDevice media = new MemoryDevice("media", 4);
        FaultInjectingDevice device = new FaultInjectingDevice(media);
        device.write(1, 10, MemorySegment.ofArray(filled(20, 7)));
        assertArrayEquals(filled(20, 7), read(device, 1, 10, 20));
        assertArrayEquals(new byte[20], read(media, 1, 10, 20), "not on the media before a flush");
        assertEquals(1, device.pendingWrites());
        device.flush();
        assertArrayEquals(filled(20, 7), read(media, 1, 10, 20));
        assertEquals(0, device.pendingWrites());
    }

    @Test
    void powerCutKeepsAnArbitrarySubsetWithWholeSectorsAndKillsTheDevice() {
        int writes = 64;
        boolean sawGap = false;
        boolean sawTorn = false;
        for (long seed = 0; seed < 40; seed++) {
            MemoryDevice media = new MemoryDevice("media", 8);
            FaultInjectingDevice device = new FaultInjectingDevice(media);
            for (int i = 0; i < writes; i++) {
                // write i fills 2 sectors of its own with the value i + 1
                device.write(i / 8, (i % 8) * 2 * Blocks.SECTOR_SIZE, MemorySegment.ofArray(filled(2 * Blocks.SECTOR_SIZE, i + 1)));
            }
            FaultInjectingDevice.PowerCut cut = device.cut(new Random(seed));
            assertEquals(writes, cut.pending());
            boolean[] landed = new boolean[writes];
            int whole = 0;
            int halves = 0;
            for (int i = 0; i < writes; i++) {
                byte[] first = read(media, i / 8, (i % 8) * 2 * Blocks.SECTOR_SIZE, Blocks.SECTOR_SIZE);
                byte[] second = read(media, i / 8, (i % 8) * 2 * Blocks.SECTOR_SIZE + Blocks.SECTOR_SIZE, Blocks.SECTOR_SIZE);
                for (byte[] sector : new byte[][] {first, second}) {
                    assertTrue(Arrays.equals(sector, filled(Blocks.SECTOR_SIZE, i + 1))
                            || Arrays.equals(sector, new byte[Blocks.SECTOR_SIZE]), "a sector is old or new, never mixed");
                }
                boolean a = first[0] != 0;
                boolean b = second[0] != 0;
                landed[i] = a || b;
                whole += a && b ? 1 : 0;
                halves += a != b ? 1 : 0;
            }
            assertTrue(halves <= 1, "at most one write is torn");
            assertEquals(cut.torn(), halves == 1);
            sawTorn |= halves == 1;
            assertEquals(cut.persisted(), whole + halves);
            for (int i = 1; i < writes; i++) {
                sawGap |= !landed[i - 1] && landed[i];
            }
            assertEquals(DeviceHealth.FAILED, device.health());
            assertThrows(MatrixIoException.class, () -> read(device, 0, 0, 1));
            device.close();
            byte[] head = read(media, 0, 0, 16);
            assertTrue(Arrays.equals(head, filled(16, 1)) || Arrays.equals(head, new byte[16]),
                    "closing a cut device leaves the media open, holding write 0 or nothing");
        }
        assertTrue(sawGap, "a later write can survive an earlier lost one: not only prefixes");
        assertTrue(sawTorn, "some cut tears a write");
    }

    @Test
    void injectedFailuresAndHealing() {
        FaultInjectingDevice device = new FaultInjectingDevice(new MemoryDevice("media", 4));
        MemorySegment one = MemorySegment.ofArray(new byte[1]);
        device.failReads(2);
        assertTrue(assertThrows(MatrixIoException.class, () -> device.read(2, 5, one)).getMessage().contains("block 2"));
        device.read(1, 0, one);
        device.failWrites(3);
        assertThrows(MatrixIoException.class, () -> device.write(2, Blocks.SIZE - 1, MemorySegment.ofArray(new byte[2])));
        assertEquals(0, device.pendingWrites(), "a failed write applies nothing");
        device.failDevice();
        assertEquals(DeviceHealth.FAILED, device.health());
        assertThrows(MatrixIoException.class, device::flush);
        device.heal();
        device.read(2, 0, one);
        device.write(3, 0, one);
        assertEquals(DeviceHealth.ONLINE, device.health());
    }

    @Test
    void flipBytesCorruptsTheMediaSilently() {
        MemoryDevice media = new MemoryDevice("media", 2);
        FaultInjectingDevice device = new FaultInjectingDevice(media);
        device.write(1, 0, MemorySegment.ofArray(filled(8, 0x0f)));
        device.flipBytes(1, 2, 3);
        assertArrayEquals(new byte[] {0x0f, 0x0f, (byte) 0xf0, (byte) 0xf0, (byte) 0xf0, 0x0f, 0x0f, 0x0f},
                read(device, 1, 0, 8));
        assertArrayEquals(read(device, 1, 0, 8), read(media, 1, 0, 8));
    }

    @Test
    void flipBytesRefusesABadRangeBeforeApplyingPendingWrites() {
        MemoryDevice media = new MemoryDevice("media", 2);
        FaultInjectingDevice device = new FaultInjectingDevice(media);
        device.write(1, 0, MemorySegment.ofArray(filled(8, 0x0f)));
        assertTrue(assertThrows(MatrixArgumentException.class, () -> device.flipBytes(1, 0, -1)).getMessage()
                .contains("negative length -1"));
        assertTrue(assertThrows(MatrixArgumentException.class, () -> device.flipBytes(2, 0, 1)).getMessage()
                .contains("block 2"));
        assertTrue(assertThrows(MatrixArgumentException.class, () -> device.flipBytes(1, Blocks.SIZE - 1, 2))
                .getMessage().contains("runs past the end"));
        assertEquals(1, device.pendingWrites(), "a refused flip applied the pending write");
        assertArrayEquals(new byte[8], read(media, 1, 0, 8), "a refused flip reached the media");
        assertArrayEquals(filled(8, 0x0f), read(device, 1, 0, 8));
    }

    @Test
    void nullDevicesAreRefused() {
        assertTrue(assertThrows(MatrixArgumentException.class, () -> new FaultInjectingDevice(null)).getMessage()
                .contains("media is null"));
        assertTrue(assertThrows(MatrixArgumentException.class, () -> new PowerSupply().connect(null)).getMessage()
                .contains("device is null"));
    }
}

package io.coems.matrix;

import io.coems.matrix.device.MemoryDevice;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** How many reads a parity write costs: none for full stripes, the cheaper plan for small writes. */
class ParityWritePlanTest {
    private static final int HEADER_BLOCKS = 2;

    private static long reads(List<CountingDevice> devices) {
        return devices.stream().mapToLong(d -> d.dataBytesRead.getAndSet(0)).sum();
    }

    private static List<CountingDevice> devices(int count) {
        List<CountingDevice> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(new CountingDevice("c" + i, HEADER_BLOCKS + 16));
        }
        return list;
    }

    @Test
    void fullStripeWritesReadNothing() {
        for (RaidMode mode : new RaidMode[] {RaidMode.RAID5, RaidMode.RAID6}) {
            List<CountingDevice> devices = devices(6);
            try (StorageMatrix matrix = StorageMatrix.create(List.of(new LbsSpec(mode, 2, List.copyOf(devices))))) {
                int stripeBlocks = 2 * mode.dataChunks(6);
                byte[] data = TestDevices.bytes((int) Blocks.bytes(2L * stripeBlocks), 1);
                reads(devices);
                TestDevices.write(matrix, Blocks.bytes(stripeBlocks), data);
                assertEquals(0, reads(devices), mode + ": two full stripes");
                assertArrayEquals(data, TestDevices.read(matrix, Blocks.bytes(stripeBlocks), data.length));
            }
        }
    }

    @Test
    void smallWritesReadOnlyWhatTheCheaperPlanNeeds() {
        List<CountingDevice> devices = devices(6);
        try (StorageMatrix matrix = StorageMatrix.create(List.of(new LbsSpec(RaidMode.RAID5, 1, List.copyOf(devices))))) {
            reads(devices);
            // 4 KiB into one of 5 data blocks: read-modify-write reads old data + P = 2 x 4 KiB,
            // where reconstruct-write would read the 4 other blocks.
            TestDevices.write(matrix, 100, TestDevices.bytes(Blocks.SECTOR_SIZE, 2));
            assertEquals(2L * Blocks.SECTOR_SIZE, reads(devices));
            // 4 of 5 data blocks whole: reconstruct-write reads the fifth, read-modify-write would read 5.
            TestDevices.write(matrix, 0, TestDevices.bytes(4 * Blocks.SIZE, 3));
            assertEquals(Blocks.SIZE, reads(devices));
        }
    }

    /** A memory device that counts the bytes read from its data area (labels and bitmap excluded). */
    private static final class CountingDevice implements BlockDevice {
        private final BlockDevice inner;
        final AtomicLong dataBytesRead = new AtomicLong();

        CountingDevice(String name, long blocks) {
            this.inner = new MemoryDevice(name, blocks);
        }

        @Override
        public void read(long block, int offset, MemorySegment dst) {
            if (block >= HEADER_BLOCKS) {
                dataBytesRead.addAndGet(dst.byteSize());
            }
            inner.read(block, offset, dst);
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public DeviceHealth health() {
            return inner.health();
        }

        @Override
        public long blockCount() {
            return inner.blockCount();
        }

        @Override
        public void write(long block, int offset, MemorySegment src) {
            inner.write(block, offset, src);
        }

        @Override
        public void flush() {
            inner.flush();
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}

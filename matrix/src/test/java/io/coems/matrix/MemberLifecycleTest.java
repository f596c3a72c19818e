package io.coems.matrix;

import io.coems.matrix.device.FaultInjectingDevice;
import io.coems.matrix.device.MemoryDevice;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.coems.matrix.TestDevices.assertMentions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Members coming and going: stale devices after a replace, split brain, devices holding old
 * data, close racing a write, late errors from a replaced device, overlapping rebuilds.
 */
class MemberLifecycleTest {
    private static final long BLOCKS = 2 + 8;

    /**
     * A device over memory that outlives a matrix (close does nothing, views share the memory),
     * and that can stall or fail its data-area I/O on cue.
     */
    private static final class Disk implements BlockDevice {
        private final String name;
        private final MemoryDevice memory;
        volatile CountDownLatch stallWrites;
        final CountDownLatch stalled = new CountDownLatch(1);
        volatile CountDownLatch slowFailingReads;
        final CountDownLatch readStalled = new CountDownLatch(1);
        volatile boolean failWrites;

        Disk(String name, MemoryDevice memory) {
            this.name = name;
            this.memory = memory;
        }

        Disk(String name) {
            this(name, new MemoryDevice(name, BLOCKS));
        }

        /** Another device object over the same memory, as after a restart. */
        Disk view(String newName) {
            return new Disk(newName, memory);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public DeviceHealth health() {
            return DeviceHealth.ONLINE;
        }

        @Override
        public boolean isBlank() {
            return memory.isBlank();
        }

        @Override
        public long blockCount() {
            return memory.blockCount();
        }

        @Override
        public void read(long block, int offset, MemorySegment dst) {
            CountDownLatch latch = slowFailingReads;
            if (latch != null && block >= 2) {
                readStalled.countDown();
                await(latch);
                throw new MatrixIoException(name + ": read timed out");
            }
            memory.read(block, offset, dst);
        }

        @Override
        public void write(long block, int offset, MemorySegment src) {
            if (failWrites) {
                throw new MatrixIoException(name + ": write failed");
            }
            CountDownLatch latch = stallWrites;
            if (latch != null && block >= 2) {
                stalled.countDown();
                await(latch);
            }
            memory.write(block, offset, src);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        private static void await(CountDownLatch latch) {
            try {
                latch.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static byte[] all(StorageMatrix matrix) {
        return TestDevices.readAll(matrix);
    }

    @Test
    void aReplacedDeviceGivenBackStaysOut() {
        Disk a = new Disk("a");
        Disk b = new Disk("b");
        FaultInjectingDevice flaky = new FaultInjectingDevice(b);
        StorageMatrix matrix = StorageMatrix.create(List.of(LbsSpec.raid1(a.view("a"), flaky)));
        byte[] x = TestDevices.bytes((int) Blocks.bytes(matrix.blockCount()), 1);
        TestDevices.write(matrix, 0, x);
        matrix.flush();
        matrix.flush();
        matrix.flush();
        flaky.failDevice();
        all(matrix);
        byte[] y = TestDevices.bytes((int) Blocks.bytes(matrix.blockCount()), 2);
        TestDevices.write(matrix, 0, y);
        Disk c = new Disk("c");
        matrix.replace(0, 1, c, null).await();
        matrix.close();

        try (StorageMatrix both = StorageMatrix.open(List.of(b.view("b-old"), c.view("c"), a.view("a")))) {
            assertEquals(LbsHealth.OPTIMAL, both.status().getFirst().health(), "the replacement is member 1");
            assertEquals("c", both.status().getFirst().members().get(1).device());
            assertArrayEquals(y, all(both));
        }
        // Without its replacement, the old device still stays out: the space opens degraded.
        try (StorageMatrix back = StorageMatrix.open(List.of(a.view("a"), b.view("b-old")))) {
            assertEquals(MemberState.FAILED, back.status().getFirst().members().get(1).state());
            assertArrayEquals(y, all(back), "the replaced device served its old data");
        }
    }

    @Test
    void splitBrainIsRefusedWhateverTheOrder() {
        Disk a = new Disk("a");
        Disk b = new Disk("b");
        FaultInjectingDevice flaky = new FaultInjectingDevice(b);
        StorageMatrix matrix = StorageMatrix.create(List.of(LbsSpec.raid1(a.view("a"), flaky)));
        flaky.failDevice();
        all(matrix);
        TestDevices.write(matrix, 0, TestDevices.bytes((int) Blocks.bytes(matrix.blockCount()), 2));
        matrix.close();
        try (StorageMatrix onlyB = StorageMatrix.open(List.of(b.view("b")))) {
            TestDevices.write(onlyB, 0, TestDevices.bytes((int) Blocks.bytes(onlyB.blockCount()), 3));
        }
        assertMentions(assertThrows(MatrixAssemblyException.class,
                () -> StorageMatrix.open(List.of(a.view("a"), b.view("b")))), "split brain", "a", "b");
        assertMentions(assertThrows(MatrixAssemblyException.class,
                () -> StorageMatrix.open(List.of(b.view("b"), a.view("a")))), "split brain");
        try (StorageMatrix onlyA = StorageMatrix.open(List.of(a.view("a")))) {
            assertArrayEquals(TestDevices.bytes((int) Blocks.bytes(onlyA.blockCount()), 2), all(onlyA));
        }
    }

    @Test
    void devicesHoldingOldDataGetParityWhenTheSpaceIsCreated() {
        List<FaultInjectingDevice> devices = new ArrayList<>();
        Random random = new Random(9);
        for (int i = 0; i < 5; i++) {
            MemoryDevice memory = new MemoryDevice("g" + i, BLOCKS);
            byte[] junk = new byte[(int) Blocks.bytes(BLOCKS)];
            random.nextBytes(junk);
            memory.write(0, 0, MemorySegment.ofArray(junk));
            devices.add(new FaultInjectingDevice(memory));
        }
        try (StorageMatrix matrix = StorageMatrix.create(List.of(new LbsSpec(RaidMode.RAID5, 1, List.copyOf(devices))))) {
            byte[] data = TestDevices.bytes(Blocks.SIZE, 4);
            TestDevices.write(matrix, 0, data);
            matrix.flush();
            devices.get(0).failDevice();
            assertArrayEquals(data, TestDevices.read(matrix, 0, Blocks.SIZE), "written block reconstructed wrongly");
        }
    }

    @Test
    void closeWaitsForWritesInFlightAndLeavesTheirRegionDirty() throws Exception {
        Disk d0 = new Disk("d0");
        Disk d1 = new Disk("d1");
        Disk d2 = new Disk("d2");
        StorageMatrix matrix = StorageMatrix.create(List.of(LbsSpec.raid5(1, d0.view("d0"), d1.view("d1"), d2)));
        TestDevices.write(matrix, 0, TestDevices.bytes((int) Blocks.bytes(matrix.blockCount()), 5));
        matrix.flush();
        d2.stallWrites = new CountDownLatch(1);
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                TestDevices.write(matrix, 0, TestDevices.bytes(Blocks.SECTOR_SIZE, 6));
            } catch (MatrixException ignored) {
                // the write may fail once its devices are closed; only the bitmap matters here
            }
        });
        assertTrue(d2.stalled.await(5, TimeUnit.SECONDS));
        Thread closer = Thread.ofPlatform().start(matrix::close);
        closer.join(500);
        assertTrue(closer.isAlive(), "close must wait for the write in flight");
        // Power cut now: the region with the interrupted write is still marked dirty.
        assertMentions(assertThrows(MatrixAssemblyException.class,
                () -> StorageMatrix.open(List.of(d0.view("d0"), d2.view("d2")))), "dirty", "degraded");
        d2.stallWrites.countDown();
        writer.join();
        closer.join();
        try (StorageMatrix clean = StorageMatrix.open(List.of(d0.view("d0"), d2.view("d2")))) {
            assertEquals(LbsHealth.DEGRADED, clean.status().getFirst().health(), "a clean close opens degraded");
        }
    }

    @Test
    void aLateErrorFromTheReplacedDeviceLeavesTheReplacementOnline() throws Exception {
        Disk a = new Disk("a");
        Disk s = new Disk("s");
        StorageMatrix matrix = StorageMatrix.create(List.of(LbsSpec.raid1(a, s)));
        TestDevices.write(matrix, 0, TestDevices.bytes((int) Blocks.bytes(matrix.blockCount()), 1));
        s.slowFailingReads = new CountDownLatch(1);
        Thread reader = Thread.ofPlatform().start(() -> TestDevices.read(matrix, Blocks.SIZE, 100));
        assertTrue(s.readStalled.await(5, TimeUnit.SECONDS), "the reader must be stalled inside its read");
        s.failWrites = true;
        TestDevices.write(matrix, 0, new byte[10]);
        assertEquals(MemberState.FAILED, matrix.status().getFirst().members().get(1).state());
        matrix.replace(0, 1, new Disk("fresh"), null).await();
        assertEquals(MemberState.ONLINE, matrix.status().getFirst().members().get(1).state());
        s.slowFailingReads.countDown();
        reader.join();
        assertEquals(MemberState.ONLINE, matrix.status().getFirst().members().get(1).state(),
                "the old device's error must not fail its replacement");
        matrix.close();
    }

    @Test
    void anObsoleteRebuildStopsWithoutHarmingTheNewOne() throws Exception {
        Disk a = new Disk("a");
        FaultInjectingDevice b = new FaultInjectingDevice(new Disk("b"));
        StorageMatrix matrix = StorageMatrix.create(List.of(LbsSpec.raid1(a, b)));
        TestDevices.write(matrix, 0, TestDevices.bytes((int) Blocks.bytes(matrix.blockCount()), 1));
        b.failDevice();
        all(matrix);
        FaultInjectingDevice r1 = new FaultInjectingDevice(new MemoryDevice("r1", BLOCKS));
        CountDownLatch inListener = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Rebuild first = matrix.replace(0, 1, r1, (done, total) -> {
            if (done == 1) {
                inListener.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        assertTrue(inListener.await(5, TimeUnit.SECONDS));
        r1.failDevice();
        TestDevices.write(matrix, 0, new byte[10]);
        assertEquals(MemberState.FAILED, matrix.status().getFirst().members().get(1).state());
        matrix.replace(0, 1, new Disk("r2"), null).await();
        assertEquals(MemberState.ONLINE, matrix.status().getFirst().members().get(1).state());
        release.countDown();
        assertThrows(MatrixException.class, first::await);
        assertEquals(MemberState.ONLINE, matrix.status().getFirst().members().get(1).state(),
                "the obsolete rebuild must not fail the new member");
        assertEquals(0, matrix.scrub(false, null).mismatches());
        matrix.close();
    }

    @Test
    void replaceRefusesMembersAndLabelledDevices() {
        List<FaultInjectingDevice> devices = TestDevices.faulty("p", 3, BLOCKS);
        StorageMatrix matrix = StorageMatrix.create(List.of(new LbsSpec(RaidMode.RAID5, 1, List.copyOf(devices))));
        byte[] content = TestDevices.bytes((int) Blocks.bytes(matrix.blockCount()), 3);
        TestDevices.write(matrix, 0, content);
        devices.get(2).failDevice();
        all(matrix);
        assertMentions(assertThrows(MatrixArgumentException.class, () -> matrix.replace(0, 2, devices.get(0), null)),
                "p0", "member 0");
        MemoryDevice labelled = new MemoryDevice("labelled", BLOCKS);
        StorageMatrix.create(List.of(LbsSpec.normal(labelled))).flush();
        assertMentions(assertThrows(DeviceNotEmptyException.class, () -> matrix.replace(0, 2, labelled, null)),
                "labelled", "OVERWRITE");
        assertArrayEquals(content, all(matrix));
        matrix.replace(0, 2, labelled, null, MatrixOption.OVERWRITE).await();
        assertFalse(matrix.status().getFirst().health() != LbsHealth.OPTIMAL);
        assertArrayEquals(content, all(matrix));
        matrix.close();
    }
}

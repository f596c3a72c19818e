package io.coems.matrix;

import io.coems.matrix.device.MappedFileDevice;
import io.coems.matrix.device.MemoryDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static io.coems.matrix.TestDevices.assertMentions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reassembly from labelled devices, refusal of foreign, duplicate and missing devices, growth. */
class AssemblyTest {
    private static final long BLOCKS = 2 + 16;

    @TempDir
    Path dir;

    private static List<BlockDevice> memory(String prefix, int count) {
        List<BlockDevice> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(new MemoryDevice(prefix + i, BLOCKS));
        }
        return list;
    }

    private List<Path> files(String prefix, int count) {
        List<Path> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(dir.resolve(prefix + i));
        }
        return list;
    }

    private static List<BlockDevice> create(List<Path> paths) {
        return paths.stream().map(p -> (BlockDevice) MappedFileDevice.create(p, BLOCKS, false)).toList();
    }

    private static List<BlockDevice> open(List<Path> paths) {
        return new ArrayList<>(paths.stream().map(p -> (BlockDevice) MappedFileDevice.open(p)).toList());
    }

    /** Opening must fail: the devices stay the caller's, so close them. */
    private static <E extends Throwable> E refused(Class<E> type, List<BlockDevice> devices) {
        try {
            return assertThrows(type, () -> StorageMatrix.open(devices));
        } finally {
            devices.forEach(BlockDevice::close);
        }
    }

    /** A RAID-5 space, a RAID-1 space and a NORMAL space in files, filled with random data. */
    private record Fixture(List<Path> raid5, List<Path> raid1, List<Path> normal, byte[] content) {
        List<Path> all() {
            List<Path> list = new ArrayList<>(raid5);
            list.addAll(raid1);
            list.addAll(normal);
            return list;
        }
    }

    /** The fixture, closed cleanly, or left open after a flush (a crash would find it so) if not. */
    private Fixture fixture(boolean close) {
        Fixture f = new Fixture(files("r5-", 4), files("r1-", 2), files("n-", 1), null);
        StorageMatrix matrix = StorageMatrix.create(List.of(TestDevices.spec(RaidMode.RAID5, 2, create(f.raid5())),
                TestDevices.spec(RaidMode.RAID1, 1, create(f.raid1())),
                LbsSpec.normal(MappedFileDevice.create(f.normal().getFirst(), BLOCKS, false))));
        byte[] content = TestDevices.bytes((int) Blocks.bytes(matrix.blockCount()), 42);
        TestDevices.write(matrix, 0, content);
        matrix.flush();
        if (close) {
            matrix.close();
        } else {
            crashed.add(matrix);
        }
        return new Fixture(f.raid5(), f.raid1(), f.normal(), content);
    }

    private final List<StorageMatrix> crashed = new ArrayList<>();

    @AfterEach
    void releaseCrashed() {
        crashed.forEach(m -> {
            try {
                m.close();
            } catch (MatrixException ignored) {
                // a matrix whose devices were reused may fail to close cleanly
            }
        });
    }

    @Test
    void reassemblesFromShuffledDevices() {
        Fixture f = fixture(true);
        for (long seed = 0; seed < 5; seed++) {
            List<Path> shuffled = new ArrayList<>(f.all());
            Collections.shuffle(shuffled, new Random(seed));
            try (StorageMatrix matrix = StorageMatrix.openFiles(shuffled)) {
                assertEquals(3, matrix.lbsCount());
                assertArrayEquals(f.content(), TestDevices.readAll(matrix));
            }
        }
    }

    @Test
    void refusesForeignDevices() {
        Fixture f = fixture(true);
        List<BlockDevice> withBlank = open(f.all());
        withBlank.add(new MemoryDevice("blank", BLOCKS));
        assertMentions(refused(MatrixAssemblyException.class, withBlank), "blank", "foreign");

        Path other = dir.resolve("other");
        StorageMatrix.create(List.of(LbsSpec.normal(MappedFileDevice.create(other, BLOCKS, false)))).close();
        List<BlockDevice> mixed = open(f.all());
        mixed.add(MappedFileDevice.open(other));
        assertMentions(refused(MatrixAssemblyException.class, mixed), "other", "belongs to matrix");
    }

    @Test
    void refusesDuplicates() throws Exception {
        Fixture f = fixture(true);
        List<BlockDevice> twice = open(f.all());
        twice.add(twice.get(4));
        assertMentions(refused(MatrixAssemblyException.class, twice), "r1-0", "twice");

        Path copy = dir.resolve("copy-of-r5-2");
        java.nio.file.Files.copy(f.raid5().get(2), copy);
        List<BlockDevice> cloned = open(f.all());
        cloned.add(MappedFileDevice.open(copy));
        assertMentions(refused(MatrixAssemblyException.class, cloned), "r5-2", "copy-of-r5-2", "member 2");
    }

    @Test
    void refusesMissingMemberOfNonRedundantSpaceAndMissingSpaces() {
        Fixture f = fixture(true);
        List<Path> noNormal = new ArrayList<>(f.raid5());
        noNormal.addAll(f.raid1());
        assertMentions(refused(MatrixAssemblyException.class, open(noNormal)), "space 2", "missing");

        List<Path> stripes = files("s-", 2);
        StorageMatrix.create(List.of(TestDevices.spec(RaidMode.RAID0, 1, create(stripes)))).close();
        assertMentions(refused(MatrixAssemblyException.class, open(stripes.subList(1, 2))),
                "member 0 of space 0", "no redundancy", "s-1");
    }

    @Test
    void missingRedundantMemberOpensDegradedAndStaysStale() {
        Fixture f = fixture(true);
        List<Path> without = new ArrayList<>(f.all());
        without.remove(f.raid5().get(1));
        byte[] update = TestDevices.bytes(3 * Blocks.SIZE, 7);
        try (StorageMatrix degraded = StorageMatrix.openFiles(without)) {
            assertEquals(LbsHealth.DEGRADED, degraded.status().getFirst().health());
            assertEquals(MemberState.FAILED, degraded.status().getFirst().members().get(1).state());
            assertArrayEquals(f.content(), TestDevices.readAll(degraded));
            TestDevices.write(degraded, 0, update);
        }
        // The member comes back with old data: the others' labels say it missed writes, so it stays out.
        try (StorageMatrix back = StorageMatrix.openFiles(f.all())) {
            assertEquals(MemberState.FAILED, back.status().getFirst().members().get(1).state());
            assertArrayEquals(update, TestDevices.read(back, 0, update.length));
        }
    }

    @Test
    void dirtyAndDegradedParitySpaceNeedsForce() throws Exception {
        Fixture f = fixture(false);
        // Not closed: the write-intent bits of the regions written last are still set, as after a crash.
        List<Path> without = new ArrayList<>(f.all());
        without.remove(f.raid5().get(3));
        List<BlockDevice> copies = new ArrayList<>();
        for (Path p : without) {
            Path copy = dir.resolve("crash-" + p.getFileName());
            java.nio.file.Files.copy(p, copy);
            copies.add(MappedFileDevice.open(copy));
        }
        assertMentions(refused(MatrixAssemblyException.class, new ArrayList<>(copies)), "dirty", "degraded", "FORCE");
        List<Path> copyPaths = without.stream().map(p -> dir.resolve("crash-" + p.getFileName())).toList();
        try (StorageMatrix forced = StorageMatrix.openFiles(copyPaths, MatrixOption.FORCE)) {
            assertArrayEquals(f.content(), TestDevices.readAll(forced));
        }
    }

    @Test
    void growsOnlineAndKeepsData() throws Exception {
        List<BlockDevice> first = memory("g-", 3);
        StorageMatrix matrix = StorageMatrix.create(List.of(TestDevices.spec(RaidMode.RAID5, 1, first)));
        long before = matrix.blockCount();
        byte[] content = TestDevices.bytes((int) Blocks.bytes(before), 1);
        TestDevices.write(matrix, 0, content);

        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch wrote = new CountDownLatch(1);
        Thread writer = Thread.ofPlatform().start(() -> {
            Random random = new Random(3);
            try {
                while (!stop.get()) {
                    long block = random.nextLong(before);
                    byte[] data = TestDevices.bytes(Blocks.SIZE, block);
                    TestDevices.write(matrix, Blocks.bytes(block), data);
                    synchronized (content) {
                        System.arraycopy(data, 0, content, (int) Blocks.bytes(block), data.length);
                    }
                    wrote.countDown();
                }
            } catch (Throwable t) {
                failure.set(t);
                wrote.countDown(); // reported below by the failure check
            }
        });
        assertTrue(wrote.await(5, TimeUnit.SECONDS), "the writer wrote before the space was added");
        List<BlockDevice> second = memory("h-", 2);
        assertEquals(1, matrix.addLbs(TestDevices.spec(RaidMode.RAID1, 1, second)));
        stop.set(true);
        writer.join();
        assertEquals(null, failure.get());
        assertTrue(matrix.blockCount() > before);

        byte[] grown = TestDevices.bytes((int) Blocks.bytes(matrix.blockCount() - before), 2);
        TestDevices.write(matrix, Blocks.bytes(before), grown);
        matrix.flush();

        List<BlockDevice> all = new ArrayList<>(second);
        all.addAll(first);
        StorageMatrix reopened = StorageMatrix.open(all);
        assertEquals(2, reopened.lbsCount());
        assertArrayEquals(content, TestDevices.read(reopened, 0, content.length));
        assertArrayEquals(grown, TestDevices.read(reopened, Blocks.bytes(before), grown.length));
    }

    @Test
    void refusesCapacityBeyondThirtyBitAddresses() {
        BlockDevice huge = new HugeDevice(Blocks.MAX_MATRIX_BLOCKS + 16);
        MatrixArgumentException e = assertThrows(MatrixArgumentException.class,
                () -> StorageMatrix.create(List.of(LbsSpec.normal(huge))));
        assertMentions(e, String.valueOf(Blocks.MAX_MATRIX_BLOCKS + 14), "64 TiB");

        StorageMatrix small = StorageMatrix.create(List.of(LbsSpec.normal(new MemoryDevice("small", BLOCKS))));
        assertThrows(MatrixArgumentException.class,
                () -> small.addLbs(LbsSpec.normal(new HugeDevice(Blocks.MAX_MATRIX_BLOCKS - 4))));
        assertEquals(1, small.lbsCount());
        small.close();
    }

    @Test
    void createRefusesLabelledDevicesUnlessOverwrite() {
        List<BlockDevice> devices = memory("l-", 2);
        StorageMatrix.create(List.of(TestDevices.spec(RaidMode.RAID1, 1, devices))).flush();
        assertMentions(assertThrows(DeviceNotEmptyException.class,
                () -> StorageMatrix.create(List.of(TestDevices.spec(RaidMode.RAID1, 1, devices)))), "l-0");
        // An option given twice counts once (Set.of would have refused the duplicate).
        StorageMatrix again = StorageMatrix.create(List.of(TestDevices.spec(RaidMode.RAID1, 1, devices)),
                MatrixOption.OVERWRITE, MatrixOption.OVERWRITE);
        assertEquals(0, again.scrub(false, ProgressListener.NONE).mismatches());
        again.close();
    }

    @Test
    void raid6OpensWithTwoMembersMissing() {
        List<Path> paths = files("six-", 5);
        byte[] content;
        try (StorageMatrix matrix = StorageMatrix.create(List.of(TestDevices.spec(RaidMode.RAID6, 1, create(paths))))) {
            content = TestDevices.bytes((int) Blocks.bytes(matrix.blockCount()), 9);
            TestDevices.write(matrix, 0, content);
        }
        List<Path> three = new ArrayList<>(paths.subList(2, 5));
        Collections.reverse(three);
        try (StorageMatrix twoMissing = StorageMatrix.openFiles(three)) {
            assertEquals(LbsHealth.DEGRADED, twoMissing.status().getFirst().health());
            assertArrayEquals(content, TestDevices.readAll(twoMissing));
        }
        assertMentions(refused(MatrixAssemblyException.class, open(paths.subList(3, 5))), "more than the mode tolerates");
    }

    /** A device too large to allocate, for the capacity checks: reads zeros, refuses writes. */
    private record HugeDevice(long blockCount) implements BlockDevice {
        @Override
        public String name() {
            return "huge";
        }

        @Override
        public DeviceHealth health() {
            return DeviceHealth.ONLINE;
        }

        @Override
        public void read(long block, int offset, MemorySegment dst) {
            dst.fill((byte) 0);
        }

        @Override
        public void write(long block, int offset, MemorySegment src) {
            throw new AssertionError("nothing may be written to a refused device");
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}

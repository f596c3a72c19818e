package io.coems.sfs;

import io.coems.matrix.Blocks;
import io.coems.matrix.LbsSpec;
import io.coems.matrix.StorageMatrix;
import io.coems.matrix.device.MemoryDevice;
import io.coems.sfs.format.Superblock;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Online growth on a Storage Matrix grown with {@code addLbs}: the new groups' blocks and vnode
 * slots are used, a partial last group fills up, the result survives close and open, growth
 * beyond the reserved maximum is refused without a change, and I/O goes on during a growth.
 * The devices added hold leftovers, so metadata a growth forgot to write would show.
 * With {@link SfsModelProperties#SMALL}, every group of 256 blocks spends 5 on metadata.
 */
class GrowthTest {
    private static final SfsOptions SMALL = SfsModelProperties.SMALL;
    /** Data blocks of a whole group of {@link #SMALL}. */
    private static final int GROUP_DATA = 256 - 5;

    /**
     * A device that gives the matrix {@code blocks} blocks (the matrix keeps two for its labels)
     * and was used before: every block starts with leftover bytes, which pass for no metadata.
     */
    static MemoryDevice device(String name, long blocks) {
        MemoryDevice device = new MemoryDevice(name, 2 + blocks);
        MemorySegment leftover = MemorySegment.ofArray(random(64, blocks));
        for (long b = 0; b < device.blockCount(); b++) {
            device.write(b, 0, leftover);
        }
        return device;
    }

    static byte[] random(int length, long seed) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }

    static byte[] read(SuperFileSystem fs, VnodeId id, long offset, int length) {
        byte[] data = new byte[length];
        fs.read(id, offset, MemorySegment.ofArray(data));
        return data;
    }

    private static void assertMentions(Throwable e, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), () -> e.getMessage() + " does not mention " + fragment);
        }
    }

    @Test
    void newGroupsGiveBlocksAndVnodesThatWorkAndStay() {
        StorageMatrix matrix = StorageMatrix.create(List.of(LbsSpec.normal(device("g0", 400))));
        SuperFileSystem fs = SuperFileSystem.format(matrix, SMALL);
        assertEquals(GROUP_DATA + (144 - 5), fs.dataBlocks(), "a whole group and a partial one of 144 blocks");
        assertEquals(fs.dataBlocks(), fs.grow(), "the store has not grown: nothing to do");

        List<VnodeId> vnodes = new ArrayList<>();
        SfsNoSpaceException noSlot = null;
        while (noSlot == null) {
            try {
                vnodes.add(fs.create(Blocks.bytes(2048)));
            } catch (SfsNoSpaceException e) {
                noSlot = e;
            }
        }
        assertEquals(2 * 16 - 1, vnodes.size(), "two groups of 16 slots, one taken by the descriptors");
        VnodeId filler = vnodes.getFirst();
        long written = 0;
        SfsNoSpaceException full = null;
        while (full == null) {
            try {
                fs.write(filler, Blocks.bytes(written), MemorySegment.ofArray(random(Blocks.SIZE, written)));
                written++;
            } catch (SfsNoSpaceException e) {
                full = e;
            }
        }

        matrix.addLbs(LbsSpec.normal(device("g1", 700)));
        long before = fs.freeBlocks();
        assertEquals(4L * GROUP_DATA + (76 - 5), fs.grow(), "the partial group filled up, two whole groups and a"
                + " partial one of 76 blocks added");
        assertEquals(4L * GROUP_DATA + 71, fs.dataBlocks());
        assertEquals(before + 4L * GROUP_DATA + 71 - (GROUP_DATA + 139), fs.freeBlocks());
        assertEquals(List.of(), fs.check());

        for (long b = written; b < written + 600; b++) {
            fs.write(filler, Blocks.bytes(b), MemorySegment.ofArray(random(Blocks.SIZE, b)));
        }
        written += 600;
        List<VnodeId> added = new ArrayList<>();
        for (int i = 0; i < 3 * 16; i++) {
            added.add(fs.create(Blocks.bytes(64)));
        }
        assertThrows(SfsNoSpaceException.class, () -> fs.create(1), "five groups of 16 slots, all taken");
        assertTrue(added.stream().allMatch(id -> id.index() >= 2 * 16), "the new vnodes live in the new groups");
        VnodeId last = added.getLast();
        byte[] data = random(3 * Blocks.SIZE + 17, 99);
        fs.write(last, 1000, MemorySegment.ofArray(data));
        fs.delete(added.getFirst());
        VnodeId child = fs.spawn(last);
        fs.write(child, 1000, MemorySegment.ofArray(new byte[10]));
        assertArrayEquals(data, read(fs, last, 1000, data.length), "the parent keeps its data");
        assertEquals(List.of(), fs.check());
        fs.close();

        try (SuperFileSystem back = SuperFileSystem.open(matrix, SMALL)) {
            assertEquals(List.of(), back.openNotes());
            assertEquals(4L * GROUP_DATA + 71, back.dataBlocks());
            assertArrayEquals(data, read(back, last, 1000, data.length));
            assertArrayEquals(new byte[10], read(back, child, 1000, 10));
            for (long b = 0; b < written; b += 97) {
                assertArrayEquals(random(Blocks.SIZE, b), read(back, filler, Blocks.bytes(b), Blocks.SIZE), "block " + b);
            }
            assertEquals(List.of(), back.check());

            matrix.addLbs(LbsSpec.normal(device("g2", 300)));
            assertEquals(5L * GROUP_DATA + (120 - 5), back.grow(), "the new partial group filled up, one more added");
            assertEquals(List.of(), back.check());
        }
    }

    @Test
    void growingBeyondTheMaximumIsRefusedAndChangesNothing() {
        SfsOptions upTo1024 = new SfsOptions(256, 16, 64, 0, 1024);
        StorageMatrix matrix = StorageMatrix.create(List.of(LbsSpec.normal(device("m0", 512))));
        try (SuperFileSystem fs = SuperFileSystem.format(matrix, upTo1024)) {
            VnodeId id = fs.create(Blocks.bytes(4));
            byte[] data = random(Blocks.SIZE, 5);
            fs.write(id, 0, MemorySegment.ofArray(data));
            matrix.addLbs(LbsSpec.normal(device("m1", 600)));
            long free = fs.freeBlocks();
            assertMentions(assertThrows(SfsArgumentException.class, fs::grow), "1112 blocks", "maximum of 1024 blocks");
            assertEquals(2L * GROUP_DATA, fs.dataBlocks());
            assertEquals(free, fs.freeBlocks());
            assertEquals(List.of(), fs.check());
            assertArrayEquals(data, read(fs, id, 0, data.length));
        }
        try (SuperFileSystem back = SuperFileSystem.open(matrix, upTo1024)) {
            assertEquals(2L * GROUP_DATA, back.dataBlocks(), "the refused growth wrote nothing durable");
            assertEquals(List.of(), back.check());
        }
    }

    @Test
    void growingToExactlyTheMaximumWorks() {
        SfsOptions upTo1024 = new SfsOptions(256, 16, 64, 0, 1024);
        StorageMatrix matrix = StorageMatrix.create(List.of(LbsSpec.normal(device("x0", 512))));
        try (SuperFileSystem fs = SuperFileSystem.format(matrix, upTo1024)) {
            matrix.addLbs(LbsSpec.normal(device("x1", 512)));
            assertEquals(4L * GROUP_DATA, fs.grow());
            assertEquals(List.of(), fs.check());
        }
    }

    @Test
    void formatRefusesAStoreAboveTheMaximumAndATableThatDoesNotFit() {
        assertMentions(assertThrows(SfsArgumentException.class,
                () -> SuperFileSystem.format(new MemoryDevice("big", 1025), new SfsOptions(256, 16, 64, 0, 1024))),
                "1025 blocks", "maximum of 1024 blocks");
        assertMentions(assertThrows(SfsArgumentException.class,
                () -> SuperFileSystem.format(new MemoryDevice("huge-table", 512), new SfsOptions(64, 16, 64, 0,
                        SfsOptions.DEFAULT_MAX_BLOCKS))), "too small", "reserved for " + SfsOptions.DEFAULT_MAX_BLOCKS);
        assertMentions(assertThrows(SfsArgumentException.class, () -> new SfsOptions(256, 16, 64, 0, 0)),
                "maximum size of 0 blocks");
    }

    @Test
    void aFileSystemFormattedWithoutGrowthOpensAndRefusesToGrow() {
        StorageMatrix matrix = StorageMatrix.create(List.of(LbsSpec.normal(device("v1", 512))));
        VnodeId id;
        byte[] data = random(Blocks.SIZE, 8);
        try (SuperFileSystem fs = SuperFileSystem.format(matrix, SMALL)) {
            id = fs.create(Blocks.bytes(4));
            fs.write(id, 0, MemorySegment.ofArray(data));
        }
        // Rewrite every superblock copy as the code before growth wrote it: no GROWTH feature, so
        // the table is sized for the groups in use (one block either way).
        MemorySegment sector = MemorySegment.ofArray(new byte[Blocks.SECTOR_SIZE]);
        for (long g = 0; g < 2; g++) {
            matrix.read(g * 256, 0, sector);
            Superblock sb = Superblock.decode(sector);
            Superblock old = new Superblock(sb.compatible(), sb.readOnly(), Superblock.JOURNAL, sb.id(),
                    sb.geometry(), sb.state(), sb.reservedBlocks(), sb.descriptorVnode(), sb.created(), sb.copy(),
                    sb.journalStart(), sb.journalBlocks());
            matrix.write(g * 256, 0, old.encode());
        }
        matrix.addLbs(LbsSpec.normal(device("v2", 512)));
        try (SuperFileSystem fs = SuperFileSystem.open(matrix, SMALL)) {
            assertArrayEquals(data, read(fs, id, 0, data.length));
            assertEquals(List.of(), fs.check());
            assertMentions(assertThrows(SfsArgumentException.class, fs::grow), "1024 blocks", "maximum of 512 blocks");
            assertEquals(2L * GROUP_DATA, fs.dataBlocks());
        }
    }

    @Test
    void ioToExistingVnodesGoesOnDuringAGrowth() throws InterruptedException {
        StorageMatrix matrix = StorageMatrix.create(List.of(LbsSpec.normal(device("io0", 512))));
        try (SuperFileSystem fs = SuperFileSystem.format(matrix, SMALL)) {
            VnodeId id = fs.create(Blocks.bytes(64));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread io = Thread.ofPlatform().start(() -> {
                try {
                    for (long round = 0; !stop.get(); round++) {
                        long block = round % 64;
                        byte[] data = random(Blocks.SIZE, round);
                        fs.write(id, Blocks.bytes(block), MemorySegment.ofArray(data));
                        assertArrayEquals(data, read(fs, id, Blocks.bytes(block), Blocks.SIZE), "round " + round);
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            for (int i = 1; i <= 6; i++) {
                matrix.addLbs(LbsSpec.normal(device("io" + i, 256)));
                assertEquals((2L + i) * GROUP_DATA, fs.grow());
            }
            stop.set(true);
            io.join();
            assertNull(failure.get());
            assertEquals(List.of(), fs.check());
        }
    }
}

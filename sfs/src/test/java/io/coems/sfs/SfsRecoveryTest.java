package io.coems.sfs;

import io.coems.matrix.Blocks;
import io.coems.matrix.device.MemoryDevice;
import io.coems.sfs.format.LittleEndian;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Damaged superblocks and group tables, a full pool, stale ids, bad input, foreign stores. */
class SfsRecoveryTest {
    private static final SfsOptions SMALL = SfsModelProperties.SMALL;

    private static byte[] random(int length, long seed) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static void assertMentions(Throwable e, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), () -> e.getMessage() + " does not mention " + fragment);
        }
    }

    private static byte[] read(SuperFileSystem fs, VnodeId id, long offset, int length) {
        byte[] data = new byte[length];
        fs.read(id, offset, MemorySegment.ofArray(data));
        return data;
    }

    private static void flip(MemoryDevice store, long block, int offset) {
        MemorySegment b = MemorySegment.ofArray(new byte[1]);
        store.read(block, offset, b);
        b.set(ValueLayout.JAVA_BYTE, 0, (byte) ~b.get(ValueLayout.JAVA_BYTE, 0));
        store.write(block, offset, b);
    }

    @Test
    void aDamagedPrimarySuperblockOpensFromABackup() {
        MemoryDevice store = new MemoryDevice("sb", 1024);
        byte[] data = random(3 * Blocks.SIZE, 1);
        VnodeId id;
        try (SuperFileSystem fs = SuperFileSystem.format(store, SMALL)) {
            id = fs.create(Blocks.bytes(16));
            fs.write(id, 100, MemorySegment.ofArray(data));
        }
        flip(store, 0, 30);
        try (SuperFileSystem fs = SuperFileSystem.open(store, SMALL)) {
            assertTrue(fs.openNotes().stream().anyMatch(n -> n.contains("primary superblock damaged")), fs.openNotes()::toString);
            assertArrayEquals(data, read(fs, id, 100, data.length));
            assertEquals(List.of(), fs.check());
        }
        try (SuperFileSystem fs = SuperFileSystem.open(store, SMALL)) {
            assertTrue(fs.openNotes().stream().noneMatch(n -> n.contains("damaged")), "the primary was rewritten");
        }
    }

    @Test
    void aDamagedGroupTableIsRestoredAndRecounted() {
        MemoryDevice store = new MemoryDevice("gdt", 1024);
        VnodeId id;
        long free;
        try (SuperFileSystem fs = SuperFileSystem.format(store, SMALL)) {
            id = fs.create(Blocks.bytes(64));
            fs.write(id, 0, MemorySegment.ofArray(random(5 * Blocks.SIZE, 2)));
            free = fs.freeBlocks();
        }
        flip(store, 1, 0);
        try (SuperFileSystem fs = SuperFileSystem.open(store, SMALL)) {
            assertTrue(fs.openNotes().stream().anyMatch(n -> n.contains("group-descriptor table block 0 damaged")),
                    fs.openNotes()::toString);
            assertEquals(free, fs.freeBlocks(), "recounted from the reference counts");
            assertEquals(List.of(), fs.check());
            assertEquals(64 * Blocks.SIZE, fs.size(id));
        }
    }

    @Test
    void aFullPoolRefusesWritesWithoutChangingAnythingAndRecoversAfterADelete() {
        MemoryDevice store = new MemoryDevice("full", 512);
        try (SuperFileSystem fs = SuperFileSystem.format(store, SMALL)) {
            VnodeId filler = fs.create(Blocks.bytes(4096));
            VnodeId victim = fs.create(Blocks.bytes(4096));
            byte[] victimData = random(2 * Blocks.SIZE, 3);
            fs.write(victim, 0, MemorySegment.ofArray(victimData));
            List<Long> written = new ArrayList<>();
            SfsNoSpaceException full = null;
            for (long block = 0; block < 4096 && full == null; block++) {
                try {
                    fs.write(filler, Blocks.bytes(block), MemorySegment.ofArray(random(Blocks.SIZE, block)));
                    written.add(block);
                } catch (SfsNoSpaceException e) {
                    full = e;
                }
            }
            assertMentions(full, "no free block");
            long free = fs.freeBlocks();
            long failing = written.size();
            VnodeId child = fs.spawn(victim);
            assertThrows(SfsNoSpaceException.class, () -> fs.write(child, 0, MemorySegment.ofArray(new byte[10])));
            assertEquals(free, fs.freeBlocks(), "the refused write allocated nothing");
            assertArrayEquals(victimData, read(fs, child, 0, victimData.length), "and changed nothing");
            assertArrayEquals(new byte[Blocks.SIZE], read(fs, filler, Blocks.bytes(failing), Blocks.SIZE));
            assertEquals(List.of(), fs.check());

            fs.delete(victim);
            fs.delete(child);
            fs.write(filler, Blocks.bytes(failing), MemorySegment.ofArray(random(Blocks.SIZE, failing)));
            assertArrayEquals(random(Blocks.SIZE, failing), read(fs, filler, Blocks.bytes(failing), Blocks.SIZE));
            assertArrayEquals(random(Blocks.SIZE, 0), read(fs, filler, 0, Blocks.SIZE));
            assertEquals(List.of(), fs.check());
        }
    }

    @Test
    void staleIdsAreRefusedEvenWhenTheirSlotIsReused() {
        try (SuperFileSystem fs = SuperFileSystem.format(new MemoryDevice("stale", 256), SMALL)) {
            VnodeId old = fs.create(Blocks.bytes(4));
            fs.delete(old);
            VnodeId reused = fs.create(Blocks.bytes(4));
            assertEquals(old.index(), reused.index(), "one group: the slot is reused");
            SfsNotFoundException e = assertThrows(SfsNotFoundException.class,
                    () -> fs.write(old, 0, MemorySegment.ofArray(new byte[1])));
            assertMentions(e, old.toString().substring(6), "generation");
            assertThrows(SfsNotFoundException.class, () -> fs.spawn(old));
            assertThrows(SfsNotFoundException.class, () -> fs.delete(old));
            assertThrows(SfsNotFoundException.class, () -> fs.size(new VnodeId(1 << 20, 1)));
        }
    }

    @Test
    void badRangesAndSizesAreRefusedNamingTheValue() {
        try (SuperFileSystem fs = SuperFileSystem.format(new MemoryDevice("bad", 512), SMALL)) {
            VnodeId id = fs.create(1000);
            assertMentions(assertThrows(SfsArgumentException.class,
                    () -> fs.write(id, 999, MemorySegment.ofArray(new byte[2]))), "offset 999", "1000 bytes");
            assertMentions(assertThrows(SfsArgumentException.class,
                    () -> fs.read(id, -1, MemorySegment.ofArray(new byte[1]))), "offset -1");
            assertMentions(assertThrows(SfsArgumentException.class, () -> fs.create(-5)), "size -5");
            assertMentions(assertThrows(SfsArgumentException.class, () -> fs.resize(id, Long.MAX_VALUE)),
                    String.valueOf(Long.MAX_VALUE));
            assertArrayEquals(new byte[1000], read(fs, id, 0, 1000), "nothing was written");
            assertMentions(assertThrows(SfsArgumentException.class,
                    () -> SuperFileSystem.format(new MemoryDevice("tiny", 5), SMALL)), "too small");
        }
    }

    @Test
    void foreignAndNewerStoresAreRefused() {
        assertMentions(assertThrows(SfsFormatException.class,
                () -> SuperFileSystem.open(new MemoryDevice("blank", 512), SMALL)), "no SFS");
        MemoryDevice store = new MemoryDevice("newer", 512);
        SuperFileSystem.format(store, SMALL).close();
        MemorySegment version = MemorySegment.ofArray(new byte[4]);
        version.set(LittleEndian.INT, 0, 2);
        store.write(0, 8, version);
        assertMentions(assertThrows(SfsFormatException.class, () -> SuperFileSystem.open(store, SMALL)),
                "version 2", "version 1");
    }

    @Test
    void aClosedFileSystemRefusesWork() {
        SuperFileSystem fs = SuperFileSystem.format(new MemoryDevice("closed", 512), SMALL);
        VnodeId id = fs.create(10);
        fs.close();
        fs.close();
        assertThrows(SfsClosedException.class, () -> fs.read(id, 0, MemorySegment.ofArray(new byte[1])));
        assertThrows(SfsClosedException.class, () -> fs.create(10));
        assertThrows(SfsClosedException.class, fs::flush);
    }
}

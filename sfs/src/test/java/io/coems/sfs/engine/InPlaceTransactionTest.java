package io.coems.sfs.engine;

import io.coems.matrix.Blocks;
import io.coems.matrix.device.FaultInjectingDevice;
import io.coems.matrix.device.MemoryDevice;
import io.coems.sfs.SfsIoException;
import io.coems.sfs.VnodeSpace;
import io.coems.sfs.format.MetaBlock;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Transactions change index blocks, counts and the group table in place: a transaction that
 * ends without a commit must put every byte back, a commit that finds the journal's record
 * full must commit the running transaction without any of its own changes, and a commit
 * without a journal whose write fails must leave the cache as the store is.
 */
class InPlaceTransactionTest {
    private static final int GROUP_BLOCKS = 256;

    /** The device as a power cut right now could leave it: every write so far, nothing else. */
    private static MemoryDevice image(MemoryDevice device) {
        MemoryDevice copy = new MemoryDevice("image", device.blockCount());
        MemorySegment block = MemorySegment.ofArray(new byte[Blocks.SIZE]);
        for (long b = 0; b < device.blockCount(); b++) {
            device.read(b, 0, block);
            copy.write(b, 0, block);
        }
        return copy;
    }

    /** The journal region's bytes as they are on the store now. */
    private static byte[] journal(Engine engine) {
        long[] region = engine.journalRegion();
        byte[] bytes = new byte[Math.toIntExact(Blocks.bytes(region[1]))];
        for (int b = 0; b < region[1]; b++) {
            engine.readRaw(region[0] + b, MemorySegment.ofArray(bytes).asSlice(Blocks.bytes(b), Blocks.SIZE));
        }
        return bytes;
    }

    private static byte[] filled(int length, int value) {
        byte[] data = new byte[length];
        Arrays.fill(data, (byte) value);
        return data;
    }

    private static byte[] read(Engine engine, long id, long offset, int length) {
        byte[] got = new byte[length];
        engine.read(id, offset, MemorySegment.ofArray(got));
        return got;
    }

    @Test
    void aCopyOnWriteThatFailsHalfwayLeavesNoTrace() {
        FaultInjectingDevice store = new FaultInjectingDevice(new MemoryDevice("flaky", 1024));
        Engine engine = Engine.format(store, GROUP_BLOCKS, 16, 64, 0, 1L << 18);
        long parent = engine.create(Blocks.bytes(4));
        engine.write(parent, 0, MemorySegment.ofArray(filled(3 * Blocks.SIZE, 7)));
        long child = engine.spawn(parent);
        engine.write(child, 0, MemorySegment.ofArray(filled(100, 8))); // the child owns its path to block 0
        engine.flush();
        long free = engine.freeBlocks();
        VnodeSpace childSpace = engine.space(child);
        VnodeSpace parentSpace = engine.space(parent);

        // Block 1: the metadata is made writable in place (counts, group table, the child's index
        // block), then reading the shared block fails and the transaction is closed without a commit.
        store.failDevice();
        assertThrows(SfsIoException.class,
                () -> engine.write(child, Blocks.SIZE + 10, MemorySegment.ofArray(filled(4096, 9))));
        store.heal();

        assertEquals(List.of(), engine.check(), "metadata as before the failed write");
        assertEquals(free, engine.freeBlocks());
        assertEquals(childSpace, engine.space(child));
        assertEquals(parentSpace, engine.space(parent));
        assertArrayEquals(filled(Blocks.SIZE, 7), read(engine, child, Blocks.SIZE, Blocks.SIZE));

        engine.write(child, Blocks.SIZE + 10, MemorySegment.ofArray(filled(4096, 9)));
        engine.close();
        Engine back = Engine.open(store, 64, 0, new ArrayList<>());
        assertEquals(List.of(), back.check());
        byte[] expected = filled(Blocks.SIZE, 7);
        Arrays.fill(expected, 10, 10 + 4096, (byte) 9);
        assertArrayEquals(expected, read(back, child, Blocks.SIZE, Blocks.SIZE));
        assertArrayEquals(filled(Blocks.SIZE, 7), read(back, parent, Blocks.SIZE, Blocks.SIZE));
        back.close();
    }

    @Test
    void aFullRecordIsCommittedWithoutTheTransactionThatFilledIt() {
        MemoryDevice store = new MemoryDevice("filling", 1024);
        Engine engine = Engine.format(store, GROUP_BLOCKS, 16, 64, 0, 1L << 18);
        List<Long> vnodes = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            vnodes.add(engine.create(Blocks.bytes(2)));
        }
        // Each first write into a new vnode adds two fresh index blocks to the running
        // transaction (and changes the shared counts and table in place): the record fills up.
        int full = -1;
        for (int i = 0; i < vnodes.size() && full < 0; i++) {
            byte[] before = journal(engine);
            engine.write(vnodes.get(i), 0, MemorySegment.ofArray(filled(Blocks.SIZE, i + 1)));
            if (!Arrays.equals(before, journal(engine))) { // this write's commit committed the journal
                full = i;
            }
        }
        assertTrue(full > 0, "the running transaction filled up");

        // A power cut now: the record committed holds the writes before vnode 'full', not its own.
        try (MemoryDevice image = image(store)) {
            Engine crashed = Engine.open(image, 64, 0, new ArrayList<>());
            assertEquals(List.of(), crashed.check(), "the record holds whole transactions");
            for (int i = 0; i < full; i++) {
                assertArrayEquals(filled(Blocks.SIZE, i + 1), read(crashed, vnodes.get(i), 0, Blocks.SIZE));
            }
            assertArrayEquals(new byte[Blocks.SIZE], read(crashed, vnodes.get(full), 0, Blocks.SIZE));
        }

        // Without the cut, the transaction that filled the record is there, and survives a reopen.
        assertEquals(List.of(), engine.check());
        engine.close();
        Engine back = Engine.open(store, 64, 0, new ArrayList<>());
        assertEquals(List.of(), back.check());
        for (int i = 0; i <= full; i++) {
            assertArrayEquals(filled(Blocks.SIZE, i + 1), read(back, vnodes.get(i), 0, Blocks.SIZE));
        }
        back.close();
    }

    @Test
    void aBlockModifiedWholeInPlaceIsPutBackByAClose() {
        Engine engine = Engine.format(new MemoryDevice("whole", 1024), GROUP_BLOCKS, 16, 64, 0, 1L << 18);
        long a = engine.create(Blocks.bytes(4));
        engine.write(a, 0, MemorySegment.ofArray(filled(Blocks.SIZE, 5)));
        engine.flush();
        long countBlock = engine.geometry().countBlock(engine.geometry().firstData(0));
        byte[] before = engine.cache().read(countBlock, MetaBlock.Kind.REFCOUNT).toArray(ValueLayout.JAVA_BYTE);

        engine.metaLock().lock();
        try (Transaction tx = engine.begin()) {
            for (int i = 0; i < 100; i++) { // changed again and again, its old bytes kept once
                MemorySegment counts = tx.modify(countBlock, MetaBlock.Kind.REFCOUNT);
                counts.asSlice(64L * i, 64).fill((byte) (i + 1));
                engine.counts().put(tx, engine.geometry().firstData(0) + i, i);
            }
            assertTrue(engine.cache().read(countBlock, MetaBlock.Kind.REFCOUNT).mismatch(MemorySegment.ofArray(before)) >= 0,
                    "changed in place meanwhile");
        } finally {
            engine.metaLock().unlock();
        }

        assertArrayEquals(before, engine.cache().read(countBlock, MetaBlock.Kind.REFCOUNT).toArray(ValueLayout.JAVA_BYTE));
        assertEquals(List.of(), engine.check());
        engine.close();
    }

    @Test
    void aRepairWhoseWriteFailsLeavesTheCacheAsTheStoreIs() {
        FaultInjectingDevice store = new FaultInjectingDevice(new MemoryDevice("repair", 1024));
        Engine engine = Engine.format(store, GROUP_BLOCKS, 16, 64, 0, 1L << 18);
        long a = engine.create(Blocks.bytes(4));
        engine.write(a, 0, MemorySegment.ofArray(filled(Blocks.SIZE, 5)));
        long leak;
        engine.metaLock().lock();
        try (Transaction tx = engine.begin()) {
            leak = engine.counts().allocate(tx, 0, true); // count 1, no pointer: repair frees it
            tx.commit();
        } finally {
            engine.metaLock().unlock();
        }
        engine.flush();
        long countBlock = engine.geometry().countBlock(leak);
        long table = engine.geometry().tableBlock(0, 0);

        // Repair changes the leaked block's count and the group's free count in place and, with
        // no journal, writes both home; the table's write fails.
        store.failWrites(table);
        assertThrows(SfsIoException.class, engine::repair);
        store.heal();

        for (long block : new long[] {countBlock, table}) {
            MetaBlock.Kind kind = block == table ? MetaBlock.Kind.GROUP_TABLE : MetaBlock.Kind.REFCOUNT;
            byte[] stored = new byte[Blocks.SIZE];
            engine.readRaw(block, MemorySegment.ofArray(stored));
            assertArrayEquals(stored, engine.cache().read(block, kind).toArray(ValueLayout.JAVA_BYTE),
                    "block " + block + " cached as stored");
        }
        assertNotEquals(List.of(), engine.repair(), "what the failed repair did not write is still to fix");
        assertEquals(List.of(), engine.check());
        engine.close();
    }

    @Test
    void freeBlocksShowsOnlyCommittedAllocations() {
        Engine engine = Engine.format(new MemoryDevice("free", 1024), GROUP_BLOCKS, 16, 64, 0, 1L << 18);
        long a = engine.create(Blocks.bytes(8));
        long child = engine.spawn(a);
        engine.write(a, 0, MemorySegment.ofArray(filled(3 * Blocks.SIZE, 1)));
        engine.write(child, Blocks.SIZE, MemorySegment.ofArray(filled(100, 2)));
        long free = engine.freeBlocks();
        assertEquals(engine.groups().totalFreeBlocks(engine.cache()), free, "the committed total is the table's");

        engine.metaLock().lock();
        try (Transaction tx = engine.begin()) {
            engine.counts().allocate(tx, 0, false);
            engine.counts().allocate(tx, 0, false);
            assertEquals(free - 2, engine.groups().totalFreeBlocks(tx), "allocated in the open transaction");
            assertEquals(free, engine.freeBlocks(), "not visible before the commit");
        } finally {
            engine.metaLock().unlock();
        }
        assertEquals(free, engine.freeBlocks(), "rolled back");

        engine.metaLock().lock();
        try (Transaction tx = engine.begin()) {
            engine.counts().allocate(tx, 0, false);
            tx.commit();
        } finally {
            engine.metaLock().unlock();
        }
        assertEquals(free - 1, engine.freeBlocks(), "committed");
        assertEquals(engine.groups().totalFreeBlocks(engine.cache()), engine.freeBlocks());
        engine.close();
    }
}

package io.coems.sfs.engine;

import io.coems.matrix.Blocks;
import io.coems.matrix.device.FaultInjectingDevice;
import io.coems.matrix.device.MemoryDevice;
import io.coems.sfs.format.LittleEndian;
import io.coems.sfs.format.MetaBlock;
import io.coems.sfs.format.Pointers;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A delete stopped after some of its bounded steps (as by a crash between two commits) leaves
 * a consistent, partly released tree; the next open finishes it and frees exactly the blocks
 * no other vnode references.
 */
class ResumedDeleteTest {

    @Test
    void anInterruptedDeleteResumesOnOpen() {
        MemoryDevice store = new MemoryDevice("resume", 2048);
        Engine engine = Engine.format(store, 256, 16, 64, 0, 1L << 18);
        long free = engine.freeBlocks();
        long a = engine.create(Blocks.bytes(40_000));
        byte[] data = new byte[Blocks.SIZE];
        new java.util.Random(3).nextBytes(data);
        List<Long> written = new ArrayList<>();
        for (long lb = 0; lb < 40_000; lb += 97) {
            engine.write(a, Blocks.bytes(lb), MemorySegment.ofArray(data));
            written.add(lb);
        }
        long b = engine.spawn(a);
        engine.write(b, 0, MemorySegment.ofArray(new byte[10]));
        long freeWithBoth = engine.freeBlocks();

        // Mark `a` deleting and release only a few references, as a crash between steps would leave it.
        int index = Ids.index(a);
        engine.metaLock().lock();
        try (Transaction tx = engine.begin()) {
            engine.markDeleting(tx, a);
            int[] budget = {3};
            assertFalse(engine.map().release(tx, engine.vnodes().rootBlock(index), MetaBlock.Kind.VNODE_TABLE,
                    engine.vnodes().rootOffset(index, 0), 2, budget), "three references are not the whole tree");
            tx.commit();
        } finally {
            engine.metaLock().unlock();
        }
        assertEquals(List.of(), engine.check(), "a partly released tree is consistent");
        engine.close();

        Engine reopened = Engine.open(store, 64, 0, new ArrayList<>());
        assertEquals(List.of(), reopened.check());
        assertEquals(List.of(b), reopened.list());
        byte[] got = new byte[Blocks.SIZE];
        for (long lb : written.subList(1, written.size())) {
            reopened.read(b, Blocks.bytes(lb), MemorySegment.ofArray(got));
            assertArrayEquals(data, got, "b keeps the blocks it shared with a");
        }
        reopened.delete(b);
        assertEquals(free, reopened.freeBlocks(), "everything is free again");
        assertEquals(List.of(), reopened.check());
        reopened.close();
        store.close();
        assertFalse(freeWithBoth == free);
    }

    /**
     * A delete is done once its change commits: a failure while releasing its blocks afterwards
     * (here an unreadable index block) does not make the delete look failed, and the next open
     * finishes the release.
     */
    @Test
    void aDeleteWhoseReleaseFailsAfterTheCommitStillReturnsAndResumesOnOpen() {
        MemoryDevice media = new MemoryDevice("release", 2048);
        Engine engine = Engine.format(media, 256, 16, 64, 0, 1L << 18);
        long free = engine.freeBlocks();
        long a = engine.create(Blocks.bytes(1000));
        engine.write(a, 0, MemorySegment.ofArray(new byte[4 * Blocks.SIZE]));
        long keep = engine.create(Blocks.bytes(8));
        engine.close();

        FaultInjectingDevice store = new FaultInjectingDevice(media);
        Engine reopened = Engine.open(store, 64, 0, new ArrayList<>());
        int index = Ids.index(a);
        MemorySegment root = MemorySegment.ofArray(new byte[Integer.BYTES]);
        media.read(reopened.vnodes().rootBlock(index), (int) reopened.vnodes().rootOffset(index, 0), root);
        store.failReads(Pointers.block(root.get(LittleEndian.INT, 0)));
        assertDoesNotThrow(() -> reopened.delete(a), "the delete committed; only its release failed");
        assertEquals(List.of(keep), reopened.list());
        reopened.close();

        store.heal();
        Engine again = Engine.open(store, 64, 0, new ArrayList<>());
        assertEquals(List.of(keep), again.list());
        again.delete(keep);
        assertEquals(free, again.freeBlocks(), "the release was finished on open");
        assertEquals(List.of(), again.check());
        again.close();
    }
}

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
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A metadata block freed while its image is in the journal commit in flight is revoked
 * ({@link Journal#freed}), although the log does not hold the image yet: replay after a power
 * cut must not write that stale image over the data the block holds once it is reused.
 *
 * <p>Only a delete frees metadata (index blocks, in {@link BlockMap#release}; discards free
 * data blocks only), and its {@code durable()} commit waits for any commit in flight, so the
 * image must come from an earlier step of the same release: {@code Engine.releaseAll} releases
 * a tree of more than {@code RELEASE_BUDGET} references in steps, each committed only into the
 * running transaction and with the metadata lock let go in between, where a periodic commit
 * or a flush may take that transaction. Here (as in {@link ResumedDeleteTest}) the steps are
 * driven one at a time: the first releases one data block and so changes the L0 index block,
 * a flush takes that change and parks before its first flush, and the second step frees the
 * L0 block meanwhile. Another vnode then reuses the block for data, the power fails after a
 * flush, and the reopened file system (which replays the log) must return that data.
 */
class RevokeInFlightTest {

    @Test
    void anIndexBlockFreedWhileItsImageIsInTheCommitInFlightIsRevoked() throws Exception {
        FaultInjectingDevice device = new FaultInjectingDevice(new MemoryDevice("revoke", 256));
        GatedStore store = new GatedStore(device);
        Engine formatted = Engine.format(store, 256, 16, 64, 0, 1L << 18);
        long keep = formatted.create(Blocks.bytes(5)); // one group: its new blocks go after its block 0
        formatted.write(keep, 0, MemorySegment.ofArray(new byte[Blocks.SIZE]));
        long doomed = formatted.create(Blocks.bytes(2));
        formatted.write(doomed, 0, MemorySegment.ofArray(new byte[2 * Blocks.SIZE]));
        formatted.close(); // a checkpoint: the log holds no image of the doomed tree, none is "logged"

        Engine engine = Engine.open(store, 64, 0, new ArrayList<>());
        int index = Ids.index(doomed);
        long l0 = l0Block(engine, index);
        engine.metaLock().lock();
        try (Transaction tx = engine.begin()) {
            engine.markDeleting(tx, doomed);
            tx.commit();
            engine.durable();
        } finally {
            engine.metaLock().unlock();
        }
        assertFalse(releaseStep(engine, index, 1), "the first step releases one data block of two");

        Thread flusher = new Thread(engine::flush, "flusher");
        store.arm((block, write) -> Thread.currentThread() == flusher && block == GatedStore.FLUSH);
        flusher.start();
        assertTrue(store.arrived.await(10, TimeUnit.SECONDS), "the commit of the first step is in flight");
        try {
            assertTrue(releaseStep(engine, index, Integer.MAX_VALUE), "the second step frees the L0 block");
        } finally {
            store.release.countDown();
            flusher.join();
        }
        engine.flush(); // the free is durable: the L0 block may be reused

        byte[] data = new byte[4 * Blocks.SIZE];
        new Random(7).nextBytes(data);
        engine.write(keep, Blocks.bytes(1), MemorySegment.ofArray(data));
        assertTrue(LongStream.rangeClosed(1, 4).anyMatch(lb -> physical(engine, keep, lb) == l0),
                "the freed L0 block " + l0 + " holds data now");
        engine.flush();
        device.cut(new Random(1)); // nothing is pending: the disk is as flushed

        List<String> notes = new ArrayList<>();
        Engine back = Engine.open(device.media(), 64, 0, notes);
        assertTrue(notes.stream().anyMatch(note -> note.startsWith("replayed")), notes.toString());
        assertEquals(List.of(), back.check());
        assertEquals(List.of(keep), back.list(), "the delete was finished on open");
        byte[] got = new byte[data.length];
        back.read(keep, Blocks.bytes(1), MemorySegment.ofArray(got));
        assertArrayEquals(data, got, "replay wrote no stale index image over the reused block");
        back.close();
    }

    /** The block that logical block {@code lb} of vnode {@code id} maps to. */
    private static long physical(Engine engine, long id, long lb) {
        MetaView view = engine.cache();
        return Pointers.block(engine.map().lookup(view, engine.vnodes().read(view, Ids.index(id)), lb));
    }

    /** The L0 index block under root 0 of vnode {@code index}, entry 0. */
    private static long l0Block(Engine engine, int index) {
        long l1 = Pointers.block(engine.vnodes().read(engine.cache(), index).root(0));
        return Pointers.block(engine.cache().read(l1, MetaBlock.Kind.INDEX).get(LittleEndian.INT, 0));
    }

    /** One step of a delete's release (as {@code Engine.releaseAll} takes): whether the tree is released. */
    private static boolean releaseStep(Engine engine, int index, int budget) {
        engine.metaLock().lock();
        try (Transaction tx = engine.begin()) {
            boolean done = engine.map().release(tx, engine.vnodes().rootBlock(index), MetaBlock.Kind.VNODE_TABLE,
                    engine.vnodes().rootOffset(index, 0), 2, new int[] {budget});
            tx.commit();
            return done;
        } finally {
            engine.metaLock().unlock();
        }
    }
}

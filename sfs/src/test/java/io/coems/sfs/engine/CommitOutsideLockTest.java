package io.coems.sfs.engine;

import io.coems.matrix.Blocks;
import io.coems.matrix.device.MemoryDevice;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A journal commit holds the metadata lock only to take the running transaction: while its
 * flush is stuck on a slow device, copy-on-write first writes (which need the metadata lock for
 * their transactions) go on and complete. Then the commit ends, and everything is on disk.
 */
class CommitOutsideLockTest {
    private static final int BLOCKS = 8;
    private static final String COMMITTER = "coems-sfs-commit";

    @Test
    void firstWritesGoOnWhileFlushIsInFlight() throws Exception {
        GatedStore store = new GatedStore(new MemoryDevice("flush", 1024));
        Engine engine = Engine.format(store, 256, 16, 64, 0, 1L << 18);
        Thread flusher = new Thread(engine::flush, "flusher");
        firstWritesGoOnWhileACommitWrites(store, engine, thread -> thread == flusher, flusher::start);
        flusher.join();
    }

    @Test
    void firstWritesGoOnWhileThePeriodicCommitIsInFlight() throws Exception {
        GatedStore store = new GatedStore(new MemoryDevice("periodic", 1024));
        Engine engine = Engine.format(store, 256, 16, 64, 20, 1L << 18);
        firstWritesGoOnWhileACommitWrites(store, engine, thread -> thread.getName().equals(COMMITTER), () -> {
        });
    }

    /**
     * Spawns a child of a vnode, gives the running transaction a first write into it, has
     * {@code startCommit} get a commit going (unless the periodic one does) whose first flush,
     * issued by a thread {@code committer} accepts, parks, and writes the child's other blocks
     * (each a copy-on-write first write) while the flush is parked; then lets the commit end,
     * flushes, reopens and reads everything back.
     */
    private static void firstWritesGoOnWhileACommitWrites(GatedStore store, Engine engine,
            Predicate<Thread> committer, Runnable startCommit) throws Exception {
        long parent = engine.create(Blocks.bytes(BLOCKS));
        byte[] original = filled(BLOCKS * Blocks.SIZE, 1);
        engine.write(parent, 0, MemorySegment.ofArray(original));
        engine.flush();
        long child = engine.spawn(parent);
        byte[] first = filled(Blocks.SIZE, 2);
        store.arm((block, write) -> committer.test(Thread.currentThread()) && block == GatedStore.FLUSH);
        engine.write(child, 0, MemorySegment.ofArray(first)); // into the running transaction the commit takes
        startCommit.run();
        assertTrue(store.arrived.await(10, TimeUnit.SECONDS), "the commit reached its flush");

        List<byte[]> later = new ArrayList<>();
        for (int lb = 1; lb < BLOCKS; lb++) {
            later.add(filled(Blocks.SIZE, 2 + lb));
        }
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                for (int lb = 1; lb < BLOCKS; lb++) {
                    engine.write(child, Blocks.bytes(lb), MemorySegment.ofArray(later.get(lb - 1)));
                }
            } catch (Throwable t) {
                failed.set(t);
            }
        }, "writer");
        writer.start();
        writer.join(TimeUnit.SECONDS.toMillis(5));
        boolean completedWhileParked = !writer.isAlive() && store.release.getCount() == 1;
        store.release.countDown();
        writer.join();
        assertTrue(completedWhileParked, "the first writes completed while the commit's flush was parked");
        assertNull(failed.get());

        engine.flush();
        assertEquals(List.of(), engine.check());
        engine.close();
        Engine back = Engine.open(store.delegate, 64, 0, new ArrayList<>());
        assertEquals(List.of(), back.check());
        assertArrayEquals(original, read(back, parent, 0, BLOCKS), "the parent keeps its data");
        assertArrayEquals(first, read(back, child, 0, 1));
        for (int lb = 1; lb < BLOCKS; lb++) {
            assertArrayEquals(later.get(lb - 1), read(back, child, lb, 1), "block " + lb + " of the child");
        }
        assertFalse(Arrays.equals(original, read(back, child, 0, BLOCKS)));
        back.close();
    }

    private static byte[] read(Engine engine, long vnode, int fromBlock, int blocks) {
        byte[] got = new byte[blocks * Blocks.SIZE];
        engine.read(vnode, Blocks.bytes(fromBlock), MemorySegment.ofArray(got));
        return got;
    }

    private static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }
}

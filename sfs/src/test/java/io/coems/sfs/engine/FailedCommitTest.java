package io.coems.sfs.engine;

import io.coems.matrix.Blocks;
import io.coems.matrix.device.MemoryDevice;
import io.coems.sfs.SfsIoException;
import io.coems.sfs.format.Pointers;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A commit that fails while a transaction is open: the failed transaction never became durable,
 * so what it freed or unshared is still in use on disk, and the open transaction must not take
 * it. Here the commit had dropped the count of a block shared by a vnode and its spawn to 1;
 * the vnode's write, begun before the failure, must not claim that block and write into it.
 */
class FailedCommitTest {
    @Test
    void aTransactionOpenWhenACommitFailsDoesNotClaimWhatTheCommitUnshared() throws Exception {
        GatedStore store = new GatedStore(new MemoryDevice("failed", 1024));
        Engine engine = Engine.format(store, 256, 16, 64, 0, 1L << 18);
        long parent = engine.create(Blocks.bytes(4));
        byte[] original = filled(4 * Blocks.SIZE, 1);
        engine.write(parent, 0, MemorySegment.ofArray(original));
        engine.flush();
        long child = engine.spawn(parent);
        long shared = Pointers.block(engine.map().lookup(engine.cache(), engine.live(engine.cache(), parent), 0));
        // The child moves off block 0: in the running transaction its count drops to 1, on disk both still share it.
        engine.write(child, 0, MemorySegment.ofArray(filled(Blocks.SIZE, 2)));

        Thread flusher = new Thread(() -> {
            try {
                engine.flush();
            } catch (SfsIoException expected) {
                // the injected failure
            }
        }, "flusher");
        store.arm((block, write) -> Thread.currentThread() == flusher && block == GatedStore.FLUSH);
        flusher.start();
        assertTrue(store.arrived.await(10, TimeUnit.SECONDS), "the commit reached its first flush");
        CountDownLatch flushGoes = store.release;

        // The parent's write queues for the metadata lock, held here; then the cache forgets all
        // but the committing blocks, so that inside its transaction, before it decides on block 0,
        // the write reads metadata from the store and parks there.
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                engine.write(parent, 0, MemorySegment.ofArray(filled(Blocks.SIZE, 3)));
            } catch (Throwable t) {
                outcome.set(t);
            }
        }, "writer");
        engine.metaLock().lock();
        try {
            writer.start();
            for (int i = 0; i < 1000 && !engine.metaLock().hasQueuedThread(writer); i++) {
                Thread.sleep(10);
            }
            assertTrue(engine.metaLock().hasQueuedThread(writer), "the write waits for the metadata lock");
            engine.cache().clear();
            store.arm((block, write) -> Thread.currentThread() == writer && !write);
        } finally {
            engine.metaLock().unlock();
        }
        assertTrue(store.arrived.await(10, TimeUnit.SECONDS), "the write parked inside its transaction");

        store.failFlushes = true;
        flushGoes.countDown();
        flusher.join(10_000);
        store.release.countDown();
        writer.join(10_000);

        assertInstanceOf(SfsIoException.class, outcome.get(), "the write is refused once the commit failed");
        byte[] onDisk = new byte[Blocks.SIZE];
        store.delegate.read(shared, 0, MemorySegment.ofArray(onDisk));
        assertArrayEquals(Arrays.copyOf(original, Blocks.SIZE), onDisk,
                "the block the child still shares on disk keeps its data");
    }

    private static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }
}

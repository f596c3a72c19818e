package io.coems.sfs.engine;

import io.coems.matrix.Blocks;
import io.coems.matrix.device.MemoryDevice;
import io.coems.sfs.SfsArgumentException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A whole-block copy-on-write writes its data into a held free block under no lock, then links
 * it: other first writes, reads of the old data, and a shrink all go on meanwhile, and the held
 * block is neither handed to anybody else nor leaked.
 */
class HeldBlockWriteTest {
    private GatedStore store;
    private Engine engine;
    private long parent;
    private long child;
    private Thread parked;

    @BeforeEach
    void spawnedChildOfFourBlocks() {
        store = new GatedStore(new MemoryDevice("held", 1024));
        engine = Engine.format(store, 256, 16, 64, 0, 1L << 18);
        parent = engine.create(Blocks.bytes(4));
        for (int lb = 0; lb < 4; lb++) {
            engine.write(parent, Blocks.bytes(lb), block(lb + 1));
        }
        child = engine.spawn(parent);
    }

    @AfterEach
    void releaseAndCheck() throws InterruptedException {
        store.release.countDown();
        if (parked != null) {
            parked.join(10_000);
        }
        assertEquals(java.util.List.of(), engine.check(), "the metadata is consistent");
    }

    /** Starts a whole-block write of {@code fill} into block {@code lb} of the child, parked in its data write. */
    private CompletableFuture<Void> parkedWrite(long lb, int fill) throws InterruptedException {
        long firstData = engine.geometry().firstData(0);
        CompletableFuture<Void> done = new CompletableFuture<>();
        parked = new Thread(() -> {
            try {
                engine.write(child, Blocks.bytes(lb), block(fill));
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        }, "parked writer");
        Thread writer = parked;
        store.arm((block, write) -> Thread.currentThread() == writer && write && block >= firstData);
        parked.start();
        assertTrue(store.arrived.await(5, TimeUnit.SECONDS), "the write reaches its data write");
        return done;
    }

    @Test
    void otherFirstWritesAndReadsGoOnWhileTheDataIsWritten() throws Exception {
        CompletableFuture<Void> first = parkedWrite(0, 9);

        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> engine.write(child, Blocks.bytes(1), block(8)));
        second.get(5, TimeUnit.SECONDS); // before the fix, it queued behind the parked write's locks
        assertArrayEquals(bytes(1), read(child, 0), "a read meanwhile sees the shared old data");
        assertFalse(first.isDone(), "the first write is still parked");

        store.release.countDown();
        first.get(5, TimeUnit.SECONDS);
        assertArrayEquals(bytes(9), read(child, 0));
        assertArrayEquals(bytes(8), read(child, 1), "the second write did not get the first one's held block");
        for (int lb = 0; lb < 4; lb++) {
            assertArrayEquals(bytes(lb + 1), read(parent, lb), "the parent keeps block " + lb);
        }
    }

    @Test
    void aShrinkWhileTheDataIsWrittenRefusesTheWriteAndLeaksNothing() throws Exception {
        CompletableFuture<Void> write = parkedWrite(3, 9);
        assertEquals(1, engine.heldBlocks(), "the write holds one free block for its data");

        engine.resize(child, Blocks.bytes(1)); // before the fix, it queued behind the parked write's locks
        engine.flush();
        long free = engine.freeBlocks();
        store.release.countDown();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        write.exceptionally(t -> {
            failure.set(t);
            return null;
        }).get(5, TimeUnit.SECONDS);

        assertInstanceOf(SfsArgumentException.class, failure.get(), "the write would land beyond the new end");
        assertEquals(0, engine.heldBlocks(), "the hold ended");
        engine.resize(child, Blocks.bytes(4));
        assertArrayEquals(new byte[Blocks.SIZE], read(child, 3), "nothing of the refused write shows");
        engine.flush();
        assertEquals(free, engine.freeBlocks(), "the refused write took no block");
    }

    @Test
    void aBlockOwnedByThenIsWrittenInPlace() {
        engine.write(child, 0, block(5)); // copies: the child owns block 0 from now on
        long owned = physical(0);
        engine.write(child, 0, MemorySegment.ofArray(new byte[2 * Blocks.SIZE]).fill((byte) 6));
        assertEquals(owned, physical(0), "the owned block is written in place");
        assertArrayEquals(bytes(6), read(child, 0));
        assertArrayEquals(bytes(6), read(child, 1));
        assertArrayEquals(bytes(2), read(parent, 1));
    }

    @Test
    void aBlockTheVnodeMayClaimIsWrittenInPlace() {
        long shared = physical(2);
        engine.delete(parent);
        engine.flush(); // the dropped counts are durable: the child may claim what it alone names
        engine.write(child, Blocks.bytes(2), block(7));
        assertEquals(shared, physical(2), "claimed, not moved to a new block");
        assertArrayEquals(bytes(7), read(child, 2));
        assertArrayEquals(bytes(4), read(child, 3));
    }

    private long physical(long lb) {
        return io.coems.sfs.format.Pointers.block(engine.map().lookup(engine.cache(), engine.live(engine.cache(), child), lb));
    }

    private byte[] read(long vnode, long lb) {
        byte[] got = new byte[Blocks.SIZE];
        engine.read(vnode, Blocks.bytes(lb), MemorySegment.ofArray(got));
        return got;
    }

    private static MemorySegment block(int fill) {
        return MemorySegment.ofArray(bytes(fill));
    }

    private static byte[] bytes(int fill) {
        byte[] b = new byte[Blocks.SIZE];
        Arrays.fill(b, (byte) fill);
        return b;
    }
}

package io.coems.sfs.engine;

import io.coems.matrix.Blocks;
import io.coems.matrix.device.MemoryDevice;
import io.coems.sfs.SfsArgumentException;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A write checks its range, finds that it must copy, and trades its shared vnode lock for the
 * exclusive one. A resize that shrinks the vnode in that gap must make the write fail, not let
 * it fill blocks beyond the new end (which a later grow would expose instead of zeros).
 */
class WriteResizeRaceTest {
    @Test
    void aWriteRacingAShrinkNeverLandsBeyondTheEnd() throws Exception {
        GatedStore store = new GatedStore(new MemoryDevice("race", 1024));
        Engine engine = Engine.format(store, 256, 16, 64, 0, 1L << 18);
        long v = engine.create(Blocks.bytes(4));
        engine.write(v, 0, MemorySegment.ofArray(new byte[Blocks.SIZE]));
        engine.flush();
        engine.cache().clear();
        byte[] payload = new byte[2 * Blocks.SIZE];
        Arrays.fill(payload, (byte) 7);

        // The write parks in its first index-block read, after its range check, holding the shared lock.
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                engine.write(v, 0, MemorySegment.ofArray(payload));
            } catch (Throwable t) {
                outcome.set(t);
            }
        }, "writer");
        long firstData = engine.geometry().firstData(0);
        store.arm((block, write) -> Thread.currentThread() == writer && !write && block >= firstData);
        writer.start();
        assertTrue(store.arrived.await(5, TimeUnit.SECONDS));

        // The shrink queues for the exclusive lock first, so it runs in the writer's gap.
        Thread shrink = new Thread(() -> engine.resize(v, Blocks.bytes(1)), "shrink");
        shrink.start();
        for (int i = 0; i < 500 && shrink.getState() != Thread.State.WAITING; i++) {
            Thread.sleep(10);
        }
        store.release.countDown();
        shrink.join();
        writer.join();

        assertInstanceOf(SfsArgumentException.class, outcome.get(), "the write must be refused after the shrink");
        engine.resize(v, Blocks.bytes(2));
        byte[] got = new byte[Blocks.SIZE];
        engine.read(v, Blocks.bytes(1), MemorySegment.ofArray(got));
        assertArrayEquals(new byte[Blocks.SIZE], got, "bytes past a shrink read as zeros after growing again");
    }
}

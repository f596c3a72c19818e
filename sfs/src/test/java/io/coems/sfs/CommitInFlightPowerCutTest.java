package io.coems.sfs;

import io.coems.matrix.BlockStore;
import io.coems.matrix.Blocks;
import io.coems.matrix.LbsSpec;
import io.coems.matrix.MatrixException;
import io.coems.matrix.StorageMatrix;
import io.coems.matrix.device.FaultInjectingDevice;
import io.coems.matrix.device.MemoryDevice;
import io.coems.matrix.device.PowerSupply;
import io.coems.sfs.CrashModel.VnodeModel;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.coems.sfs.CrashModel.bytes;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A power cut while a journal commit is in flight and writers go on: the commit of children's
 * first writes (and of a discard that frees a block) parks before or after each of its flushes,
 * and meanwhile the parent writes into the block the children just copied away from (on disk
 * they may still share it, so it must copy), the children overwrite their new blocks, write
 * others for the first time (never into the freed block, which on disk may still be in use) and
 * discard one; then the power fails. After reopening, the file system is consistent, holds everything
 * a completed flush acknowledged, each sector written since old or new, and never another
 * vnode's data.
 */
class CommitInFlightPowerCutTest {
    private static final int CHILDREN = 4;
    private static final int BLOCKS = 4;
    private static final int SEEDS = 3;

    @Test
    void everyCutDuringACommitInFlightLeavesAConsistentFileSystem() throws Exception {
        int points = 0;
        for (int flush = 1; ; flush++) {
            boolean reached = false;
            for (boolean after : new boolean[] {false, true}) {
                for (int seed = 0; seed < SEEDS; seed++) {
                    reached |= runWithCutAt(flush, after, seed);
                }
            }
            if (!reached) {
                break;
            }
            points++;
        }
        assertTrue(points >= 2, "the commit was cut around each of its " + points + " flushes");
    }

    /**
     * Runs the workload with the commit parked before (or after) its {@code flush}-th flush and
     * the power cut there; false if the commit has fewer flushes.
     */
    private static boolean runWithCutAt(int flush, boolean after, int seed) throws Exception {
        String point = (after ? "after" : "before") + " flush " + flush + ", seed " + seed;
        Random random = new Random(seed * 16L + flush * 2L + (after ? 1 : 0));
        PowerSupply power = new PowerSupply();
        FaultInjectingDevice device = power.connect(new FaultInjectingDevice(new MemoryDevice("cut", 512)));
        StepStore store = new StepStore(StorageMatrix.create(List.of(LbsSpec.normal(device))));
        SuperFileSystem fs = SuperFileSystem.format(store, SfsModelProperties.SMALL);
        CrashModel model = new CrashModel(false);

        VnodeId parent = fs.create(Blocks.bytes(BLOCKS));
        VnodeModel parentModel = new VnodeModel();
        write(fs, parent, parentModel, 0, bytes(random, BLOCKS * Blocks.SIZE));
        model.vnodes.put(parent, parentModel);
        fs.flush();
        List<VnodeId> children = new ArrayList<>();
        for (int i = 0; i < CHILDREN; i++) {
            VnodeId child = fs.spawn(parent);
            children.add(child);
            model.vnodes.put(child, parentModel.copy());
        }
        for (VnodeId child : children) { // acknowledged by the flush below: must survive
            firstWrite(fs, child, model.vnodes.get(child), 1, random);
        }
        fs.flush();
        model.flushPoint();

        for (VnodeId child : children) { // the running transaction the parked commit takes
            firstWrite(fs, child, model.vnodes.get(child), 0, random);
        }
        VnodeId last = children.getLast();
        discard(fs, last, model.vnodes.get(last), 1); // frees its own block: not to be reused before the cut
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        Thread flusher = new Thread(() -> {
            try {
                fs.flush();
            } catch (SfsIoException | MatrixException cut) {
                // the power failed under it
            } catch (Throwable t) {
                unexpected.set(t);
            }
        }, "flusher");
        store.parkAt(flusher, flush, after);
        flusher.start();
        while (!store.arrived.await(10, TimeUnit.MILLISECONDS) && flusher.isAlive()) {
            Thread.onSpinWait();
        }
        if (store.arrived.getCount() > 0) {
            flusher.join();
            fs.close();
            return false;
        }

        try {
            // While the commit is in flight: none of this may wait for it.
            write(fs, parent, parentModel, random.nextInt(Blocks.SIZE - 4096), bytes(random, 4096));
            for (VnodeId child : children) {
                VnodeModel childModel = model.vnodes.get(child);
                write(fs, child, childModel, random.nextInt(Blocks.SIZE - 4096), bytes(random, 4096));
                firstWrite(fs, child, childModel, 2, random);
            }
            discard(fs, last, model.vnodes.get(last), BLOCKS - 1);
            assertFalse(store.timedOut, "the writes went on while the commit was parked");
        } finally {
            power.cut(new Random(~seed));
            store.release.countDown();
            flusher.join();
        }
        assertNull(unexpected.get(), point);

        try (StorageMatrix reopened = StorageMatrix.open(List.of(new FaultInjectingDevice(device.media())));
                SuperFileSystem back = SuperFileSystem.open(reopened, SfsModelProperties.SMALL)) {
            model.verify(back);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("cut " + point, e);
        }
        return true;
    }

    /** A write into logical block {@code block} of a vnode that shares it: a copy-on-write first write. */
    private static void firstWrite(SuperFileSystem fs, VnodeId id, VnodeModel model, int block, Random random) {
        boolean whole = random.nextBoolean();
        long position = Blocks.bytes(block) + (whole ? 0 : random.nextInt(Blocks.SIZE - 4096));
        write(fs, id, model, position, bytes(random, whole ? Blocks.SIZE : 4096));
    }

    /** Discards logical block {@code block} of a vnode: it reads as zeros. */
    private static void discard(SuperFileSystem fs, VnodeId id, VnodeModel model, int block) {
        model.write(Blocks.bytes(block), new byte[Blocks.SIZE]);
        fs.discard(id, Blocks.bytes(block), Blocks.SIZE);
    }

    private static void write(SuperFileSystem fs, VnodeId id, VnodeModel model, long position, byte[] data) {
        model.write(position, data);
        fs.write(id, position, MemorySegment.ofArray(data));
    }

    /** A store whose {@code n}-th flush by one thread parks before or after it reaches the matrix. */
    private static final class StepStore implements BlockStore {
        final CountDownLatch arrived = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean timedOut;
        private final BlockStore delegate;
        private volatile Thread flusher;
        private volatile int parkAt;
        private volatile boolean after;
        /** Flushes by {@link #flusher}, counted in that thread only. */
        private int flushes;

        StepStore(BlockStore delegate) {
            this.delegate = delegate;
        }

        void parkAt(Thread thread, int n, boolean afterFlush) {
            this.parkAt = n;
            this.after = afterFlush;
            this.flusher = thread;
        }

        @Override
        public long blockCount() {
            return delegate.blockCount();
        }

        @Override
        public void read(long block, int offset, MemorySegment dst) {
            delegate.read(block, offset, dst);
        }

        @Override
        public void write(long block, int offset, MemorySegment src) {
            delegate.write(block, offset, src);
        }

        @Override
        public void flush() {
            boolean park = Thread.currentThread() == flusher && ++flushes == parkAt;
            if (park && !after) {
                park();
            }
            delegate.flush();
            if (park && after) {
                park();
            }
        }

        private void park() {
            arrived.countDown();
            try {
                timedOut = !release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

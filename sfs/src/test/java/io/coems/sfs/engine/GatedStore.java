package io.coems.sfs.engine;

import io.coems.matrix.BlockStore;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;

/** A BlockStore that can park one chosen access (a slow device), to force interleavings. */
final class GatedStore implements BlockStore {
    /** The block a flush is tested as (as a write): a gate for flushes matches it. */
    static final long FLUSH = -1;
    final BlockStore delegate;
    volatile BiPredicate<Long, Boolean> gate = (block, isWrite) -> false; // (block, write?) -> park?
    volatile CountDownLatch arrived = new CountDownLatch(1);
    volatile CountDownLatch release = new CountDownLatch(1);
    /** Whether flushes fail (after their gate), as a device that reports a writeback error. */
    volatile boolean failFlushes;

    GatedStore(BlockStore delegate) {
        this.delegate = delegate;
    }

    void arm(BiPredicate<Long, Boolean> g) {
        arrived = new CountDownLatch(1);
        release = new CountDownLatch(1);
        gate = g;
    }

    private void park(long block, boolean write) {
        if (gate.test(block, write)) {
            gate = (b, w) -> false;
            arrived.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public long blockCount() {
        return delegate.blockCount();
    }

    @Override
    public void read(long block, int offset, MemorySegment dst) {
        delegate.read(block, offset, dst); // the bytes are read now...
        park(block, false);                // ...and returned later
    }

    @Override
    public void write(long block, int offset, MemorySegment src) {
        park(block, true);
        delegate.write(block, offset, src);
    }

    @Override
    public void flush() {
        park(FLUSH, true);
        if (failFlushes) {
            throw new io.coems.matrix.MatrixIoException("injected flush failure");
        }
        delegate.flush();
    }
}

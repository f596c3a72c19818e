package io.coems.nbd;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A request executor for the tests: runs each request on a virtual thread, except the ones it
 * was told to hold, which wait until the test releases them, so that a test decides which
 * request is slow.
 */
final class HoldingExecutor implements Executor {
    private final BlockingQueue<Runnable> held = new LinkedBlockingQueue<>();
    private final AtomicInteger toHold = new AtomicInteger();
    private final AtomicInteger submitted = new AtomicInteger();

    @Override
    public void execute(Runnable task) {
        submitted.incrementAndGet();
        if (toHold.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            held.add(task);
        } else {
            Thread.ofVirtual().start(task);
        }
    }

    /** Holds the next {@code count} requests. */
    void hold(int count) {
        toHold.set(count);
    }

    /** How many requests the server has handed over so far. */
    int submitted() {
        return submitted.get();
    }

    /** How many requests are held now. */
    int heldCount() {
        return held.size();
    }

    /** Waits for the next held request (10 s at most) and lets it run. */
    void releaseOne() throws InterruptedException {
        Runnable task = held.poll(10, TimeUnit.SECONDS);
        assertNotNull(task, "no request was held");
        Thread.ofVirtual().start(task);
    }

    /** Waits until {@code count} requests are held (10 s at most). */
    void awaitHeld(int count) throws InterruptedException {
        await(held::size, count, "requests held");
    }

    /** Waits until {@code count} requests were handed over (10 s at most). */
    void awaitSubmitted(int count) throws InterruptedException {
        await(submitted::get, count, "requests handed over");
    }

    private static void await(IntSupplier now, int count, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (now.getAsInt() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(now.getAsInt() + " " + what + ", not " + count);
            }
            Thread.sleep(5);
        }
    }
}

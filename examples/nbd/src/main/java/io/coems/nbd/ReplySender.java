package io.coems.nbd;

import java.io.DataOutputStream;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The output side of a connection in transmission: each reply is written whole under one lock,
 * so the replies of requests running in parallel never interleave.
 *
 * <p>When the stream is flushed: while the connection's reader still has requests to read
 * without waiting ({@link #readerBusy()}), replies stay in the buffer (unless it fills), since
 * the reader flushes them before it next waits ({@link #readerIdle()}), so that a burst of
 * requests is answered with few sends. Otherwise a reply is flushed at once, unless another
 * reply is already waiting for the lock, which then does it. No reply therefore waits for a
 * slow request to finish. Thread-safe.
 */
final class ReplySender {
    private final DataOutputStream out;
    private final ReentrantLock lock = new ReentrantLock();
    /** Replies waiting for the lock or being written. */
    private final AtomicInteger pending = new AtomicInteger();
    /** Whether the reader will flush before it next waits; written by the reader only. */
    private volatile boolean readerBusy;
    /** Whether replies were written and not flushed yet; under the lock. */
    private boolean unflushed;

    /** Writes replies to {@code out}, which nothing else may write to meanwhile. */
    ReplySender(DataOutputStream out) {
        this.out = out;
    }

    /** One whole reply, written to the stream it is given. */
    @FunctionalInterface
    interface Reply {
        void writeTo(DataOutputStream out) throws IOException;
    }

    /**
     * Writes {@code reply} with no other reply in between, then flushes unless another reply is
     * waiting for the lock or the reader is busy.
     *
     * @throws IOException if the socket fails, or {@code reply} does (the stream is then broken)
     */
    void send(Reply reply) throws IOException {
        pending.incrementAndGet();
        lock.lock();
        try {
            boolean last = pending.decrementAndGet() == 0;
            reply.writeTo(out);
            if (last && !readerBusy) {
                out.flush();
                unflushed = false;
            } else {
                unflushed = true;
            }
        } finally {
            lock.unlock();
        }
    }

    /** The reader has requests to read without waiting: replies may leave their flush to it. */
    void readerBusy() {
        readerBusy = true;
    }

    /**
     * The reader may wait now (for input, or for a request in flight to finish): flushes the
     * replies written so far; until {@link #readerBusy()}, each reply is flushed when written.
     *
     * @throws IOException if the socket fails
     */
    void readerIdle() throws IOException {
        lock.lock();
        try {
            readerBusy = false;
            if (unflushed) {
                out.flush();
                unflushed = false;
            }
        } finally {
            lock.unlock();
        }
    }
}

package io.coems.nbd;

import java.io.DataOutputStream;
import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The output side of a connection in transmission: each reply is written whole under one lock,
 * so the replies of requests running in parallel never interleave.
 *
 * <p>When the stream is flushed, so that replies finishing together leave in one send: while
 * the connection's reader still has requests to read without waiting ({@link #readerBusy()}),
 * replies stay in the buffer (unless it fills), for the reader flushes them before it next
 * waits ({@link #readerIdle()}). Otherwise the thread that wrote a reply yields once, letting
 * the other requests ready to run write theirs, and then flushes whatever is still unflushed.
 * No reply waits for a slow request. Thread-safe.
 */
final class ReplySender {
    private final DataOutputStream out;
    private final ReentrantLock lock = new ReentrantLock();
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
     * Writes {@code reply} with no other reply in between; returns once it is flushed, or once
     * the busy reader is bound to flush it.
     *
     * @throws IOException if the socket fails, or {@code reply} does (the stream is then broken)
     */
    void send(Reply reply) throws IOException {
        lock.lock();
        try {
            reply.writeTo(out);
            unflushed = true;
        } finally {
            lock.unlock();
        }
        if (!readerBusy) {
            Thread.yield(); // the other replies ready to be written go first, and out with this one
            flushIfUnflushed();
        }
    }

    /** The reader has requests to read without waiting: replies may leave their flush to it. */
    void readerBusy() {
        readerBusy = true;
    }

    /**
     * The reader may wait now (for input, or for a request in flight to finish): flushes the
     * replies written so far; until {@link #readerBusy()}, each reply sees to its own flush.
     *
     * @throws IOException if the socket fails
     */
    void readerIdle() throws IOException {
        readerBusy = false;
        flushIfUnflushed();
    }

    private void flushIfUnflushed() throws IOException {
        lock.lock();
        try {
            if (unflushed) {
                out.flush();
                unflushed = false;
            }
        } finally {
            lock.unlock();
        }
    }
}

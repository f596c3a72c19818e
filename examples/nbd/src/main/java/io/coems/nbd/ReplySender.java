package io.coems.nbd;

import java.io.DataOutputStream;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The output side of a connection in transmission: each reply is written whole under one lock,
 * so the replies of requests running in parallel never interleave. The stream is flushed by the
 * last of a burst of replies: a reply that finds another one waiting for the lock leaves the
 * flush to it, so replies finishing together go out in one send. Thread-safe.
 */
final class ReplySender {
    private final DataOutputStream out;
    private final ReentrantLock lock = new ReentrantLock();
    /** Replies waiting for the lock or being written. */
    private final AtomicInteger pending = new AtomicInteger();

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
     * Writes {@code reply} with no other reply in between, and flushes unless another reply is
     * already waiting to be written.
     *
     * @throws IOException if the socket fails, or {@code reply} does (the stream is then broken)
     */
    void send(Reply reply) throws IOException {
        pending.incrementAndGet();
        lock.lock();
        try {
            boolean written = false;
            try {
                reply.writeTo(out);
                written = true;
            } finally {
                if (pending.decrementAndGet() == 0 && written) {
                    out.flush();
                }
            }
        } finally {
            lock.unlock();
        }
    }
}

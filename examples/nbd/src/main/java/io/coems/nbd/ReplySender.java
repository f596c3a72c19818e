package io.coems.nbd;

import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The output side of a connection in transmission. A reply is queued; whichever thread holds
 * the output lock writes every queued reply, each whole, so replies of requests running in
 * parallel never interleave and no thread waits for another's reply to be written: a thread
 * that finds the lock taken leaves its reply to the holder. Once a reply is written (or can no
 * longer be, the stream being broken) its {@code landed} action runs, on the writing thread:
 * that is when the request's buffer and place in flight may be given back.
 *
 * <p>When the stream is flushed, so that replies finishing together leave in one send: while
 * the connection's reader still has requests to read without waiting ({@link #readerBusy()}),
 * written replies stay in the buffer (unless it fills), for the reader flushes them before it
 * next waits ({@link #readerIdle()}); otherwise whoever wrote replies flushes once the queue is
 * empty, so that the replies queued while it was writing leave together. No reply waits for a
 * slow request. Thread-safe.
 */
final class ReplySender {
    private final DataOutputStream out;
    private final ReentrantLock lock = new ReentrantLock();
    private final Queue<Queued> queue = new ConcurrentLinkedQueue<>();
    /** Whether the reader will flush before it next waits; written by the reader only. */
    private volatile boolean readerBusy;
    /** Whether replies were written and not flushed yet; under the lock. */
    private boolean unflushed;
    /** Set once writing failed: the stream is broken and nothing more is written; under the lock. */
    private boolean broken;

    /** Writes replies to {@code out}, which nothing else may write to meanwhile. */
    ReplySender(DataOutputStream out) {
        this.out = out;
    }

    /** One whole reply, written to the stream it is given. */
    @FunctionalInterface
    interface Reply {
        void writeTo(DataOutputStream out) throws IOException;
    }

    private record Queued(Reply reply, Runnable landed) {
    }

    /**
     * Queues {@code reply} and writes the queue unless another thread is writing it; runs
     * {@code landed} once the reply is written or dropped for a broken stream.
     *
     * @throws IOException if this thread broke the stream writing (its replies are dropped)
     */
    void send(Reply reply, Runnable landed) throws IOException {
        queue.add(new Queued(reply, landed));
        write(false);
    }

    /** The reader has requests to read without waiting: replies may leave their flush to it. */
    void readerBusy() {
        readerBusy = true;
    }

    /**
     * The reader may wait now (for input, or for a request in flight to finish): writes what is
     * queued, waiting for a thread writing meanwhile, and flushes; until {@link #readerBusy()},
     * whoever writes replies flushes them.
     *
     * @throws IOException if the stream broke
     */
    void readerIdle() throws IOException {
        readerBusy = false;
        write(true);
    }

    /** Writes the queue until it is empty; {@code wait} for the lock, else leave it to its holder. */
    private void write(boolean wait) throws IOException {
        do {
            if (wait) {
                lock.lock();
            } else if (!lock.tryLock()) {
                return; // the holder looks at the queue again before it lets go
            }
            try {
                writeQueued();
            } finally {
                lock.unlock();
            }
            wait = false; // a reply queued meanwhile is this thread's to write only if nobody else is
        } while (!queue.isEmpty());
    }

    /** Under the lock: writes every queued reply, then flushes unless the busy reader will. */
    private void writeQueued() throws IOException {
        IOException failure = null;
        for (Queued q = queue.poll(); q != null; q = queue.poll()) {
            try {
                if (!broken) {
                    q.reply.writeTo(out);
                    unflushed = true;
                }
            } catch (IOException e) {
                broken = true;
                failure = e;
            } catch (RuntimeException e) {
                broken = true;
                failure = new IOException("a reply failed half-written", e);
            } finally {
                q.landed.run();
            }
        }
        if (failure == null && !broken && unflushed && !readerBusy) {
            try {
                out.flush();
                unflushed = false;
            } catch (IOException e) {
                broken = true;
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}

package io.coems.nvsp.client;

import io.coems.nvsp.transport.DatagramPort;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The calls of a client and its credits: at most {@code maxInFlight} calls exist (made when
 * first needed, then reused), and at most {@link #limit} of them are reserved or in flight at
 * once, the credits the server grants. Application threads block here for a credit.
 *
 * <p>A thread that holds calls of a pipelined transfer only ever tries ({@link #tryAcquire})
 * and otherwise finishes one of its own calls first; only a thread holding none blocks
 * ({@link #acquire}). So credits held by finished but unread calls cannot deadlock threads.
 * While threads block, tries fail, so the blocked ones are served in turn.
 *
 * <p>Request ids are handed out here too ({@link #number}): a new id never runs
 * {@value #IDS_PER_CREDIT} x credits or more ahead of the oldest request in flight, the ids the
 * server's duplicate cache remembers (spec 8), so a request still being retried never becomes
 * {@code STALE_REQUEST} because other threads issued many newer ones.
 *
 * <p>Thread-safe. The receive thread reads {@link #calls()} without locking: a call is
 * published in the array before the count that makes it visible.
 */
final class CallPool {
    /** The server's duplicate cache remembers this many request ids per credit (spec 8). */
    static final int IDS_PER_CREDIT = 4;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Call[] calls;
    private final ArrayDeque<Call> free = new ArrayDeque<>();
    private final DatagramPort port;
    private final int maxDatagram;
    private final long wantedCredits;
    private final SentLog sent;
    private volatile int allocated;
    private int reserved;
    private volatile int limit = 1;
    private int waiters;
    private RemoteException closed;

    /**
     * Creates an empty pool.
     *
     * @param maxInFlight the most calls that ever exist
     * @param port the socket the calls' senders send through
     * @param maxDatagram the largest datagram the client sends
     * @param sent where the calls' senders record what they send
     */
    CallPool(int maxInFlight, DatagramPort port, int maxDatagram, SentLog sent) {
        this.calls = new Call[maxInFlight];
        this.port = port;
        this.maxDatagram = maxDatagram;
        this.wantedCredits = maxInFlight;
        this.sent = sent;
    }

    /**
     * Takes a call if a credit is free and no thread waits for one.
     *
     * @return the reserved call, or null
     * @throws RemoteException the reason the client closed, if it did
     */
    Call tryAcquire() {
        lock.lock();
        try {
            checkOpen();
            return waiters == 0 ? take() : null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for a credit and takes a call.
     *
     * @param deadlineNanos when to give up, as {@link System#nanoTime()}
     * @return the reserved call
     * @throws RemoteTimeoutException if no credit came before the deadline
     * @throws RemoteClosedException if the client closed
     */
    Call acquire(long deadlineNanos) {
        lock.lock();
        waiters++;
        try {
            while (true) {
                checkOpen();
                Call call = take();
                if (call != null) {
                    return call;
                }
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    throw new RemoteTimeoutException("no request credit became free within the request timeout ("
                            + reserved + " requests in flight, " + limit + " credits)");
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteException("interrupted while waiting for a request credit", null, e);
        } finally {
            waiters--;
            lock.unlock();
        }
    }

    /**
     * Gives a reserved call the next request id, waiting while that id would be
     * {@value #IDS_PER_CREDIT} x credits or more ahead of the oldest request numbered and not yet
     * answered, failed or abandoned.
     *
     * @param call the reserved call
     * @param ids the client's request id counter
     * @param deadlineNanos when to give up, as {@link System#nanoTime()}
     * @return the id, also set on the call
     * @throws RemoteTimeoutException if the oldest request kept the window closed past the deadline
     * @throws RemoteClosedException if the client closed
     */
    long number(Call call, AtomicLong ids, long deadlineNanos) {
        lock.lock();
        try {
            while (true) {
                checkOpen();
                long next = ids.get();
                long oldest = oldestInFlight(next);
                if (next - oldest < (long) IDS_PER_CREDIT * limit) {
                    long id = ids.getAndIncrement();
                    call.number(id);
                    return id;
                }
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    throw new RemoteTimeoutException("request " + oldest + " was not answered within the request "
                            + "timeout, and no newer request may run " + IDS_PER_CREDIT + " x " + limit
                            + " credits ahead of it");
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteException("interrupted while waiting for the request id window", null, e);
        } finally {
            lock.unlock();
        }
    }

    /** Returns the smallest id of a numbered call still in flight, or {@code next} when none is. */
    private long oldestInFlight(long next) {
        long oldest = next;
        for (int i = 0, n = allocated; i < n; i++) {
            long id = calls[i].idInFlight();
            if (id != 0 && id - oldest < 0) {
                oldest = id;
            }
        }
        return oldest;
    }

    private Call take() {
        if (reserved >= limit) {
            return null;
        }
        Call call = free.poll();
        if (call == null) {
            int count = allocated;
            if (count == calls.length) {
                return null;
            }
            call = new Call(this, new Sender(port, maxDatagram, wantedCredits, sent));
            calls[count] = call;
            allocated = count + 1;
        }
        reserved++;
        call.reserve();
        return call;
    }

    /** Called by a call leaving the reserved or active state: its credit is free again. */
    void creditReturned() {
        lock.lock();
        try {
            reserved--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Puts a call back; the owner freed it.
     *
     * @param call the call, no longer holding a credit
     */
    void release(Call call) {
        lock.lock();
        try {
            free.push(call);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sets how many calls may be in flight: the server's credits, at least 1 and at most the
     * pool's size. Calls in flight beyond a lowered limit finish normally.
     *
     * @param credits the credits the server granted last
     */
    void limit(long credits) {
        int bounded = (int) Math.max(1, Math.min(calls.length, credits));
        if (bounded == limit) {
            return;
        }
        lock.lock();
        try {
            limit = bounded;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Refuses every later acquisition and wakes the threads waiting for a credit.
     *
     * @param reason why, thrown to them
     */
    void close(RemoteException reason) {
        lock.lock();
        try {
            if (closed == null) {
                closed = reason;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the calls made so far, for the receive thread to scan; entries past
     * {@link #allocated()} are null.
     *
     * @return the array, not to be modified
     */
    Call[] calls() {
        return calls;
    }

    /**
     * Returns how many calls exist.
     *
     * @return the count of leading non-null entries of {@link #calls()}
     */
    int allocated() {
        return allocated;
    }

    private void checkOpen() {
        if (closed != null) {
            throw new RemoteClosedException(closed.getMessage(), closed.status(), closed);
        }
    }
}

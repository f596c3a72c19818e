package io.coems.nvsp.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Hands the queued requests of all sessions to the workers fairly: deficit round robin over the
 * sessions with requests waiting, by bytes, each turn giving a session {@code quantum} bytes
 * times its client's weight, so sessions of equal weight move equal bytes whatever their request
 * sizes and a client of weight 2 moves twice as much. A client over its IOPS or bandwidth cap
 * (token buckets) is passed over until its bucket refills; when every waiting session is capped,
 * workers sleep until the first refill.
 *
 * <p>Thread-safe: the receive thread submits, the workers take. The clock is a parameter, so
 * tests drive the caps with a manual one and {@link #poll()}.
 */
final class Scheduler {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    private final ArrayDeque<Flow> round = new ArrayDeque<>();
    private final long quantum;
    private final LongSupplier clock;
    private int queued;
    private boolean stopped;
    /** After {@link #pick} found nothing allowed: how long until a capped flow may go, else 0. */
    private long waitNanos;

    /**
     * Creates an empty scheduler.
     *
     * @param quantum bytes a weight-1 session may move per turn, positive
     * @param clock the time, as {@link System#nanoTime()}
     */
    Scheduler(long quantum, LongSupplier clock) {
        if (quantum <= 0) {
            throw new IllegalArgumentException("quantum of " + quantum + " bytes");
        }
        this.quantum = quantum;
        this.clock = clock;
    }

    /**
     * Queues a request of the job's flow.
     *
     * @return false, and nothing queued, once the scheduler is stopped: no worker would run it
     */
    boolean submit(Job job) {
        lock.lock();
        try {
            if (stopped) {
                return false;
            }
            Flow flow = job.flow;
            flow.queue.addLast(job);
            queued++;
            if (!flow.active) {
                flow.active = true;
                flow.deficit = 0;
                flow.inTurn = false;
                round.addLast(flow);
            }
            ready.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Charges response bytes sent again (on a NACK or a copy of a request) to the client's bandwidth cap. */
    void chargeResent(ClientState client, long bytes) {
        lock.lock();
        try {
            client.chargeBandwidth(bytes);
        } finally {
            lock.unlock();
        }
    }

    /** The next request allowed now, or null: {@link #take} without waiting, for the manual-clock tests. */
    Job poll() {
        lock.lock();
        try {
            return pick(clock.getAsLong());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for the next request a worker should run.
     *
     * @return the request, or null once the scheduler is stopped and nothing is queued
     * @throws InterruptedException if the worker is interrupted while waiting
     */
    Job take() throws InterruptedException {
        lock.lock();
        try {
            for (;;) {
                Job job = pick(clock.getAsLong());
                if (job != null) {
                    return job;
                }
                if (stopped && queued == 0) {
                    ready.signal();
                    return null;
                }
                if (waitNanos > 0) {
                    ready.awaitNanos(waitNanos);
                } else {
                    ready.await();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes the queued requests of one session from its client's flow (the session closed).
     *
     * @return the removed jobs, to be released
     */
    List<Job> remove(Flow flow, Session session) {
        lock.lock();
        try {
            List<Job> removed = new ArrayList<>();
            flow.queue.removeIf(job -> job.session == session && removed.add(job));
            queued -= removed.size();
            if (flow.active && flow.queue.isEmpty()) {
                round.remove(flow);
                flow.active = false;
            }
            return removed;
        } finally {
            lock.unlock();
        }
    }

    /** From now on {@link #take} returns null once the queue is empty. */
    void stop() {
        lock.lock();
        try {
            stopped = true;
            ready.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Deficit round robin, one request at a time: the flow at the head of the round begins its
     * turn by adding its quantum to its deficit, is served while its head request costs no more
     * than the deficit, and then goes to the back. A capped flow goes to the back without
     * beginning a turn. Under the lock.
     */
    private Job pick(long now) {
        waitNanos = 0;
        long soonest = Long.MAX_VALUE;
        int capped = 0;
        while (!round.isEmpty()) {
            Flow flow = round.peekFirst();
            Job head = flow.queue.peekFirst();
            if (head == null) {
                leave(flow);
                continue;
            }
            long wait = flow.client.nanosUntilAllowed(now);
            if (wait > 0) {
                soonest = Math.min(soonest, wait);
                flow.inTurn = false;
                round.addLast(round.pollFirst());
                if (++capped >= round.size()) {
                    waitNanos = soonest;
                    return null;
                }
                continue;
            }
            capped = 0;
            if (!flow.inTurn) {
                flow.deficit += quantum * flow.client.weight();
                flow.inTurn = true;
            }
            if (head.cost <= flow.deficit) {
                flow.deficit -= head.cost;
                flow.queue.pollFirst();
                queued--;
                flow.client.charge(head.dataBytes);
                if (flow.queue.isEmpty()) {
                    leave(flow);
                }
                return head;
            }
            flow.inTurn = false;
            round.addLast(round.pollFirst());
        }
        return null;
    }

    /** Takes the flow at the head out of the round; an idle flow keeps no deficit. */
    private void leave(Flow flow) {
        round.pollFirst();
        flow.active = false;
        flow.inTurn = false;
        flow.deficit = 0;
    }
}

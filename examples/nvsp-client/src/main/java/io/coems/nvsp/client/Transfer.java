package io.coems.nvsp.client;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * One pipelined transfer: a range split into parts, each carried by a {@link Call}, as many in
 * flight as the credits allow.
 *
 * <p>The owner (the application thread that runs it) issues the parts and waits. The thread
 * that completes a call, normally the receive thread, settles it on the spot: it decodes the
 * response (a read's data goes from the receive buffer straight into the caller's memory) and
 * gives the call and its credit back. The owner wakes when a quarter of the calls it held have
 * come back while parts are left, sends as many parts as the credits allow, and otherwise sleeps
 * until the transfer ends; it never wakes just to copy a response or to learn of a credit it
 * has no part for. Sending stays with the owner so that the receive thread, which every response
 * passes through, does no more than it must. When the receive thread may not touch the caller's
 * memory (a segment confined to the owner), it only queues answered calls and the owner settles
 * them.
 *
 * <p>Each part may take the request timeout, counted from when it starts waiting for a credit;
 * the owner fails the parts past their deadline. After a failure no new part is sent; the parts
 * in flight are awaited (each until its deadline) and their outcome ignored, then the first
 * failure is thrown: no part of a failed transfer still runs on the server when the caller could
 * retry it, yet the range it covered is undefined, as after a failed write to a disk. A transfer
 * holding calls never blocks for another credit, so threads sharing the credits cannot deadlock.
 *
 * <p>Threading: the fields are guarded by the transfer's monitor. Lock order: a call's monitor,
 * then the transfer's, then the pool's lock; the owner never waits for a call's monitor while
 * holding the transfer's.
 */
final class Transfer {
    /**
     * The owner sends more parts once this fraction of the calls it held have given their
     * credits back, not at each one: every wake-up of a sleeping thread costs tens of
     * microseconds, and a batch of parts goes out in one wake.
     */
    private static final int REFILL_FRACTION = 4;

    private final Connection connection;
    private final long total;
    private final int partLength;
    private final Pipeline.Encoder encoder;
    private final Pipeline.Decoder decoder;
    private final boolean anyThread;
    private final Thread owner = Thread.currentThread();
    /** The calls reserved or in flight, and those answered but not yet settled. */
    private final ArrayList<Call> calls = new ArrayList<>();
    /** Answered calls the owner settles, as the receive thread may not touch its memory. */
    private final ArrayDeque<Call> unsettled = new ArrayDeque<>();
    /** Where the next part starts. */
    private long next;
    /** Calls given back since the owner last looked for credits. */
    private int returned;
    /** How many given back wake the owner to send more parts: a quarter of those it held. */
    private int refill = 1;
    private RuntimeException failure;

    /**
     * Prepares a transfer; {@link #run} carries it out on the calling thread.
     *
     * @param connection the connection
     * @param total the length of the range, positive
     * @param partLength the most one request covers
     * @param encoder encodes the request of a part
     * @param decoder uses the response of a part whose status is OK
     * @param anyThread whether the encoder and decoder may run on the receive thread (they touch
     *     no memory confined to the owner)
     */
    Transfer(Connection connection, long total, int partLength, Pipeline.Encoder encoder, Pipeline.Decoder decoder,
            boolean anyThread) {
        this.connection = connection;
        this.total = total;
        this.partLength = partLength;
        this.encoder = encoder;
        this.decoder = decoder;
        this.anyThread = anyThread;
    }

    /**
     * Carries out the transfer and returns once every part is answered, or throws the first failure
     * once no part is in flight any more.
     */
    void run() {
        connection.checkOpen();
        while (issue()) {
            awaitProgress();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Tells whether the calling thread settles a call the moment it is answered.
     *
     * @return true on the owner, or on any thread when the transfer's memory allows
     */
    boolean settlesHere() {
        return anyThread || Thread.currentThread() == owner;
    }

    /**
     * Takes a call of this transfer that just ended (answered, failed or timed out). The caller
     * holds the call's monitor.
     *
     * @param call the call, done, still holding its credit until settled
     */
    void ended(Call call) {
        if (call.failure() == null && !settlesHere()) {
            synchronized (this) {
                unsettled.add(call);
                notifyAll();
            }
        } else {
            settle(call);
        }
    }

    /** Owner: issues parts while credits are free; returns false once nothing is left in flight. */
    private boolean issue() {
        while (true) {
            boolean holding;
            synchronized (this) {
                returned = 0;
                holding = !calls.isEmpty();
                if (failure != null || next >= total) {
                    return holding;
                }
            }
            long deadline = System.nanoTime() + connection.requestTimeoutNanos();
            Call call;
            try {
                call = holding ? connection.tryAcquire() : connection.acquire(deadline);
            } catch (RuntimeException e) {
                failed(e);
                continue;
            }
            if (call == null) {
                synchronized (this) {
                    refill = Math.max(1, calls.size() / REFILL_FRACTION);
                }
                return true;
            }
            call.transfer = this;
            synchronized (this) {
                claim(call, deadline);
                calls.add(call);
            }
            try {
                encoder.encode(call, call.chunkPosition, call.chunkLength);
                connection.issue(call, deadline);
            } catch (RuntimeException e) { // not sent: the call is still reserved by this thread
                synchronized (this) {
                    calls.remove(call);
                }
                connection.release(call);
                failed(e);
            }
        }
    }

    /** Gives a call the next part; under the transfer's monitor. */
    private void claim(Call call, long deadline) {
        call.chunkPosition = next;
        call.chunkLength = (int) Math.min(partLength, total - next);
        call.chunkDeadline = deadline;
        next += call.chunkLength;
    }

    /**
     * Owner: waits until enough calls gave their credits back (see {@link #refillDue}), an
     * answered call is left to settle, or a part passes its deadline, and deals with it.
     */
    private void awaitProgress() {
        Call answered;
        boolean late = false;
        RemoteException interrupted = null;
        synchronized (this) {
            try {
                while (unsettled.isEmpty() && !refillDue()) {
                    long left = earliestDeadline() - System.nanoTime();
                    if (left <= 0) {
                        late = true;
                        break;
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                late = true;
                interrupted = new RemoteException("interrupted while waiting for a transfer of " + total + " bytes",
                        null, e);
                failed(interrupted);
            }
            answered = unsettled.poll();
        }
        if (answered != null) {
            synchronized (answered) {
                settle(answered);
            }
        }
        if (late) {
            endLateCalls(interrupted);
        }
    }

    /**
     * Owner: fails the parts past their deadline, or every part in flight when the owner was
     * interrupted (they are left to the server).
     */
    private void endLateCalls(RemoteException interrupted) {
        ArrayList<Call> held;
        synchronized (this) {
            held = new ArrayList<>(calls);
        }
        long now = System.nanoTime();
        for (Call call : held) {
            synchronized (call) {
                if (interrupted != null) {
                    call.fail(interrupted);
                } else if (now - call.chunkDeadline >= 0) {
                    connection.timeOut(call);
                }
            }
        }
    }

    /** The earliest deadline of the calls held; only while at least one is. */
    private long earliestDeadline() {
        long earliest = calls.getFirst().chunkDeadline;
        for (Call call : calls) {
            if (call.chunkDeadline - earliest < 0) {
                earliest = call.chunkDeadline;
            }
        }
        return earliest;
    }

    /**
     * Decodes an ended call, or records why it failed, and gives it back with its credit. The
     * caller holds the call's monitor.
     */
    private void settle(Call call) {
        RuntimeException problem = connection.outcome(call);
        if (problem == null) {
            try {
                decoder.decode(call, call.chunkPosition, call.chunkLength);
            } catch (RuntimeException e) {
                problem = e;
            }
        }
        synchronized (this) {
            if (problem != null) {
                failed(problem);
            }
            calls.remove(call);
            returned++;
            if (refillDue()) {
                notifyAll();
            }
        }
        connection.release(call);
    }

    /**
     * Tells whether the owner has something to do about returned credits: none of its calls is
     * left, or enough came back to send a batch of parts. Under the transfer's monitor.
     */
    private boolean refillDue() {
        return calls.isEmpty() || failure == null && next < total && returned >= refill;
    }

    private synchronized void failed(RuntimeException e) {
        if (failure == null) {
            failure = e;
        }
    }
}

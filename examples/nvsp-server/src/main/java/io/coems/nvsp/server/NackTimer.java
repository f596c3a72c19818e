package io.coems.nvsp.server;

/**
 * When to send a NACK for a fragmented request that stopped arriving (spec 7): 50 ms after its
 * last new fragment, then after 100, 200, 400 ms ... while it stays incomplete, until its
 * reassembly slot expires. Holds at most as many requests as the reassembler has slots; the
 * one due last makes room for a new one. Not thread-safe: the receive thread owns it.
 */
final class NackTimer {
    /** The gap without a new fragment after which the first NACK goes. */
    static final long GAP_NANOS = 50_000_000L;

    /** Sends a NACK for a request; false when the request is no longer being reassembled. */
    @FunctionalInterface
    interface Sender {
        boolean nack(long sessionId, long requestId);
    }

    private final long[] sessionIds;
    private final long[] requestIds;
    private final long[] due;
    private final int[] sent;

    /**
     * Creates an empty timer.
     *
     * @param capacity how many incomplete requests it follows
     */
    NackTimer(int capacity) {
        sessionIds = new long[capacity];
        requestIds = new long[capacity];
        due = new long[capacity];
        sent = new int[capacity];
    }

    /** A new fragment of a request arrived: its first NACK is due a gap from now. */
    void fragmentArrived(long sessionId, long requestId, long nowNanos) {
        int slot = find(sessionId, requestId);
        if (slot < 0) {
            slot = free();
            sessionIds[slot] = sessionId;
            requestIds[slot] = requestId;
        }
        due[slot] = nowNanos + GAP_NANOS;
        sent[slot] = 0;
    }

    /** The request completed or was given up. */
    void forget(long sessionId, long requestId) {
        int slot = find(sessionId, requestId);
        if (slot >= 0) {
            sessionIds[slot] = 0;
        }
    }

    /** Sends the NACKs due; returns the nanoseconds until the next one is due, {@link Long#MAX_VALUE} if none. */
    long fire(long nowNanos, Sender sender) {
        long next = Long.MAX_VALUE;
        for (int i = 0; i < due.length; i++) {
            if (sessionIds[i] == 0) {
                continue;
            }
            if (due[i] - nowNanos <= 0) {
                if (!sender.nack(sessionIds[i], requestIds[i])) {
                    sessionIds[i] = 0;
                    continue;
                }
                sent[i] = Math.min(sent[i] + 1, 20);
                due[i] = nowNanos + (GAP_NANOS << sent[i]);
            }
            next = Math.min(next, due[i] - nowNanos);
        }
        return next;
    }

    private int find(long sessionId, long requestId) {
        for (int i = 0; i < sessionIds.length; i++) {
            if (sessionIds[i] == sessionId && requestIds[i] == requestId && sessionId != 0) {
                return i;
            }
        }
        return -1;
    }

    /** An empty slot, or the one due last. */
    private int free() {
        int latest = 0;
        for (int i = 0; i < sessionIds.length; i++) {
            if (sessionIds[i] == 0) {
                return i;
            }
            if (due[i] - due[latest] > 0) {
                latest = i;
            }
        }
        return latest;
    }
}

package io.coems.nvsp.server;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A session's duplicate-request cache (spec section 8): what became of each of the last
 * {@code capacity} request ids (the session's credits times four), so a retransmitted request is
 * never executed twice.
 *
 * <p>A ring indexed by request id modulo the capacity; the highest id seen bounds the window.
 * An id in the window is new (never seen, or forgotten after an idempotent request completed),
 * being executed, or answered with a response kept here (at most {@value #MAX_RESPONSE} bytes:
 * status-only responses and management results without entries; the responses of the other
 * requests, which are idempotent, are not kept and those requests run again). An id at or below
 * the highest less the capacity is stale: it is never executed, so a late WRITE never rolls a
 * block back. Request ids are compared unsigned.
 *
 * <p>Thread-safe: the receive thread admits requests, the workers complete them.
 */
final class DuplicateCache {
    /** The largest response kept. */
    static final int MAX_RESPONSE = 32;

    /** What a request id is to the cache. */
    enum Verdict {
        /** Not seen in the window: execute it. {@link #admit} marks it executing. */
        NEW,
        /** Being executed: ignore the copy. */
        EXECUTING,
        /** Answered: resend the kept response. */
        ANSWERED,
        /** Older than the window: answer STALE_REQUEST, never execute. */
        STALE
    }

    private static final byte EMPTY = 0;
    private static final byte RUNNING = 1;
    private static final byte DONE = 2;

    private final int capacity;
    private final long[] ids;
    private final byte[] states;
    private final byte[] responses;
    private final int[] lengths;
    private long highest;
    private boolean seenAny;

    /**
     * Creates an empty cache.
     *
     * @param capacity how many request ids it remembers, positive
     */
    DuplicateCache(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("duplicate cache of " + capacity + " entries");
        }
        this.capacity = capacity;
        this.ids = new long[capacity];
        this.states = new byte[capacity];
        this.responses = new byte[capacity * MAX_RESPONSE];
        this.lengths = new int[capacity];
    }

    /** How many request ids the cache remembers. */
    int capacity() {
        return capacity;
    }

    /** What {@code requestId} is, without changing anything. */
    synchronized Verdict peek(long requestId) {
        if (isStale(requestId)) {
            return Verdict.STALE;
        }
        int slot = slot(requestId);
        if (ids[slot] != requestId) {
            return Verdict.NEW;
        }
        return switch (states[slot]) {
            case RUNNING -> Verdict.EXECUTING;
            case DONE -> Verdict.ANSWERED;
            default -> Verdict.NEW;
        };
    }

    /** Whether an id at or above {@code requestId} was seen: a new verdict then means a copy of a forgotten request. */
    synchronized boolean seenSince(long requestId) {
        return seenAny && Long.compareUnsigned(requestId, highest) <= 0;
    }

    /**
     * Tells what {@code requestId} is and, if it is new, marks it executing and moves the window
     * up to it.
     */
    synchronized Verdict admit(long requestId) {
        Verdict verdict = peek(requestId);
        if (verdict == Verdict.NEW) {
            int slot = slot(requestId);
            ids[slot] = requestId;
            states[slot] = RUNNING;
            if (!seenAny || Long.compareUnsigned(requestId, highest) > 0) {
                highest = requestId;
                seenAny = true;
            }
        }
        return verdict;
    }

    /**
     * Copies the kept response of an answered request.
     *
     * @return its length, or -1 if the id is not answered (any more)
     */
    synchronized int copyResponse(long requestId, MemorySegment dst, long at) {
        int slot = slot(requestId);
        if (isStale(requestId) || ids[slot] != requestId || states[slot] != DONE) {
            return -1;
        }
        MemorySegment.copy(responses, slot * MAX_RESPONSE, dst, ValueLayout.JAVA_BYTE, at, lengths[slot]);
        return lengths[slot];
    }

    /**
     * Keeps the response of a request admitted before; nothing if its slot has been taken by a
     * later request meanwhile.
     *
     * @throws IllegalArgumentException if the response is longer than {@value #MAX_RESPONSE} bytes
     */
    synchronized void answered(long requestId, MemorySegment response, long at, int length) {
        if (length > MAX_RESPONSE) {
            throw new IllegalArgumentException("a response of " + length + " bytes is too long to keep");
        }
        int slot = slot(requestId);
        if (ids[slot] == requestId && states[slot] == RUNNING) {
            MemorySegment.copy(response, ValueLayout.JAVA_BYTE, at, responses, slot * MAX_RESPONSE, length);
            lengths[slot] = length;
            states[slot] = DONE;
        }
    }

    /**
     * Forgets a request admitted before: it was idempotent and has completed, or it was not
     * executed after all (no credit, no buffer); a copy of it will be treated as new.
     */
    synchronized void forget(long requestId) {
        int slot = slot(requestId);
        if (ids[slot] == requestId && states[slot] == RUNNING) {
            states[slot] = EMPTY;
        }
    }

    private boolean isStale(long requestId) {
        return seenAny && Long.compareUnsigned(requestId, highest) <= 0 && Long.compareUnsigned(highest - requestId, capacity) >= 0;
    }

    private int slot(long requestId) {
        return (int) Long.remainderUnsigned(requestId, capacity);
    }
}

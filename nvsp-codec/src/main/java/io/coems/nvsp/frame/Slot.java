package io.coems.nvsp.frame;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** One reassembly buffer: the fragments of one message received so far. */
final class Slot {
    /** On the heap (over a {@code byte[]}): the JDK's GCM decrypts a fragment straight into it. */
    final MemorySegment buffer;
    private final long[] received;
    boolean used;
    boolean complete;
    long sessionId;
    long requestId;
    /** Whose quota the slot counts against (the session, or what the caller passed). */
    long owner;
    int fragmentCount;
    long startedNanos;
    long totalLength;
    long stride;
    private int fragmentsReceived;

    Slot(int maxMessageLength, int maxFragments) {
        this.buffer = MemorySegment.ofArray(new byte[maxMessageLength]);
        this.received = new long[(maxFragments + Long.SIZE - 1) / Long.SIZE];
    }

    boolean holds(long session, long request) {
        return used && sessionId == session && requestId == request;
    }

    void start(long session, long request, long quotaOwner, int count, long nowNanos) {
        used = true;
        complete = false;
        sessionId = session;
        requestId = request;
        owner = quotaOwner;
        fragmentCount = count;
        startedNanos = nowNanos;
        totalLength = -1;
        fragmentsReceived = 0;
        Arrays.fill(received, 0);
    }

    boolean has(int index) {
        return (received[index >>> 6] & (1L << index)) != 0;
    }

    /** Marks a fragment received; returns true when it was the last one missing. */
    boolean mark(int index) {
        received[index >>> 6] |= 1L << index;
        return ++fragmentsReceived == fragmentCount;
    }

    void free() {
        used = false;
    }
}

package io.coems.nvsp.client;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The packet sequence and request id of the protected datagrams sent lately, so that an
 * unprotected {@code ERROR}/{@code UNKNOWN_SESSION}, which anyone can forge, is believed only
 * when it echoes one of them (spec 6.2: the server echoes the sequence and request id of the
 * datagram it could not place).
 *
 * <p>A ring of {@value #SLOTS} slots indexed by sequence: a datagram is remembered until one
 * sent {@value #SLOTS} sequences later takes its slot. Lock-free and allocation-free: any
 * sending thread records, the receive thread looks up. A lookup racing with a recording may
 * miss (the server answers the next retransmission again); it never matches a pair that was
 * not sent.
 */
final class SentLog {
    private static final int SLOTS = 1024;

    private final AtomicLongArray sequences = new AtomicLongArray(SLOTS);
    private final AtomicLongArray requestIds = new AtomicLongArray(SLOTS);

    /**
     * Remembers a datagram just sealed.
     *
     * @param sequence its packet sequence, never 0
     * @param requestId its request id
     */
    void record(long sequence, long requestId) {
        int slot = slot(sequence);
        sequences.setRelease(slot, 0);
        requestIds.setRelease(slot, requestId);
        sequences.setRelease(slot, sequence);
    }

    /**
     * Tells whether a datagram with this sequence and request id was sent lately.
     *
     * @param sequence the echoed sequence
     * @param requestId the echoed request id
     * @return true when both match a remembered datagram
     */
    boolean contains(long sequence, long requestId) {
        int slot = slot(sequence);
        if (sequence == 0 || sequences.getAcquire(slot) != sequence) {
            return false;
        }
        return requestIds.getAcquire(slot) == requestId && sequences.getAcquire(slot) == sequence;
    }

    /** Forgets everything: a new session's sequences start again. Receive thread only. */
    void clear() {
        for (int i = 0; i < SLOTS; i++) {
            sequences.setRelease(i, 0);
        }
    }

    private static int slot(long sequence) {
        return (int) (sequence & (SLOTS - 1));
    }
}

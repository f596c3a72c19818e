package io.coems.nvsp.crypto;

import java.util.Arrays;

/**
 * A sliding-window replay filter over unsigned 64-bit packet sequences, like IPsec's and
 * DTLS's: it remembers the highest sequence accepted and, in a ring bitmap, which of the
 * {@code size} sequences below it were seen. A sequence is fresh when it is above the highest,
 * or inside the window and not yet seen. Sequence 0 is never fresh (senders start at 1).
 *
 * <p>Check with {@link #isFresh} before spending work on a datagram, and {@link #accept} only
 * after it authenticated, so a forgery cannot move the window. {@link #accept} checks again and
 * records atomically, so when several threads open datagrams of one direction through one
 * window, each sequence is accepted exactly once. Allocation-free; thread-safe.
 */
public final class ReplayWindow {
    /**
     * Default window: 8,192 sequences (a bitmap of 1 KiB). Several threads seal from one
     * sequence, so a thread preempted between sealing a batch and sending it lets the others'
     * datagrams overtake its own: a few milliseconds of a 2 GB/s stream of 8 KiB datagrams is
     * over a thousand sequences, which a window of 1,024 dropped as too old.
     */
    public static final int DEFAULT_SIZE = 8192;

    private final long[] seen;
    private final int size;
    private long highest;

    /**
     * Creates a window that has accepted nothing.
     *
     * @param size sequences remembered below the highest; a positive multiple of 64
     */
    public ReplayWindow(int size) {
        if (size <= 0 || size % Long.SIZE != 0) {
            throw new IllegalArgumentException("window size " + size + " is not a positive multiple of 64");
        }
        this.size = size;
        this.seen = new long[size / Long.SIZE];
    }

    /**
     * Tells whether a sequence would be accepted.
     *
     * @param sequence the unsigned sequence
     * @return false for 0, a sequence seen before, or one {@code size} or more below the highest
     */
    public synchronized boolean isFresh(long sequence) {
        if (sequence == 0) {
            return false;
        }
        if (Long.compareUnsigned(sequence, highest) > 0) {
            return true;
        }
        long behind = highest - sequence;
        return Long.compareUnsigned(behind, size) < 0 && !isSet(sequence);
    }

    /**
     * Records a sequence as seen if it is still fresh, sliding the window when it is the new
     * highest.
     *
     * @param sequence the unsigned sequence of an authenticated datagram
     * @return true if the sequence was fresh and is now recorded; false if it is 0, was
     *     recorded before (by any thread) or is too old, and so is a replay
     */
    public synchronized boolean accept(long sequence) {
        if (!isFresh(sequence)) {
            return false;
        }
        if (Long.compareUnsigned(sequence, highest) > 0) {
            long ahead = sequence - highest;
            if (Long.compareUnsigned(ahead, size) >= 0) {
                Arrays.fill(seen, 0);
            } else {
                for (long s = highest + 1; s != sequence; s++) {
                    clear(s);
                }
            }
            highest = sequence;
        }
        set(sequence);
        return true;
    }

    /**
     * Returns the highest sequence accepted.
     *
     * @return the unsigned sequence, 0 when none
     */
    public synchronized long highest() {
        return highest;
    }

    private int bit(long sequence) {
        return (int) Long.remainderUnsigned(sequence, size);
    }

    private boolean isSet(long sequence) {
        int bit = bit(sequence);
        return (seen[bit >>> 6] & (1L << bit)) != 0;
    }

    private void set(long sequence) {
        int bit = bit(sequence);
        seen[bit >>> 6] |= 1L << bit;
    }

    private void clear(long sequence) {
        int bit = bit(sequence);
        seen[bit >>> 6] &= ~(1L << bit);
    }
}

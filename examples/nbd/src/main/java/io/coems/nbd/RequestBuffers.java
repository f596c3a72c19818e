package io.coems.nbd;

import java.util.ArrayDeque;

/**
 * The data buffers of one connection's requests in flight: a READ's data on its way out, a
 * WRITE's payload from the socket until the volume has it. Buffers come in powers of two from
 * 64 KiB to 1 MiB and are kept for reuse, at most {@code kept} of each size; each request in
 * flight holds at most one, so a connection with N requests in flight has at most N MiB in use.
 * Thread-safe.
 */
final class RequestBuffers {
    /** The largest buffer: READ and WRITE data longer than this moves through it in pieces. */
    static final int MAX_BYTES = 1 << 20;
    private static final int MIN_SHIFT = 16;
    private static final int MAX_SHIFT = 20;

    private final int kept;
    @SuppressWarnings("unchecked")
    private final ArrayDeque<byte[]>[] free = new ArrayDeque[MAX_SHIFT - MIN_SHIFT + 1];

    /** A pool that keeps up to {@code kept} free buffers of each size. */
    RequestBuffers(int kept) {
        this.kept = kept;
        for (int i = 0; i < free.length; i++) {
            free[i] = new ArrayDeque<>();
        }
    }

    /**
     * A buffer of at least {@code length} bytes (at least 64 KiB), or of {@link #MAX_BYTES} if
     * {@code length} is longer: a kept one, or a new one.
     */
    byte[] take(long length) {
        int shift = shift(length);
        synchronized (this) {
            byte[] buffer = free[shift - MIN_SHIFT].pollFirst();
            if (buffer != null) {
                return buffer;
            }
        }
        return new byte[1 << shift];
    }

    /** Gives back a buffer from {@link #take}; kept for the next request unless enough of its size are. */
    synchronized void give(byte[] buffer) {
        ArrayDeque<byte[]> same = free[Integer.numberOfTrailingZeros(buffer.length) - MIN_SHIFT];
        if (same.size() < kept) {
            same.addFirst(buffer);
        }
    }

    private static int shift(long length) {
        if (length <= 1L << MIN_SHIFT) {
            return MIN_SHIFT;
        }
        if (length >= MAX_BYTES) {
            return MAX_SHIFT;
        }
        return 64 - Long.numberOfLeadingZeros(length - 1);
    }
}

package io.coems.matrix.device;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BiConsumer;

/**
 * Which chunks of a mapped file were written since they were last forced: one bit per 1 MiB
 * chunk, set by writers without locking and taken (cleared) by the flusher before it forces
 * the chunks, so a write that races a flush is forced by that flush or marked for the next.
 */
final class DirtyRanges {
    static final int CHUNK_SHIFT = 20;

    private final AtomicLongArray bits;

    DirtyRanges(long bytes) {
        long chunks = (bytes + (1L << CHUNK_SHIFT) - 1) >>> CHUNK_SHIFT;
        this.bits = new AtomicLongArray((int) ((chunks + 63) >>> 6));
    }

    /** Marks the bytes {@code [position, position + length)} dirty. */
    void mark(long position, long length) {
        if (length == 0) {
            return;
        }
        long first = position >>> CHUNK_SHIFT;
        long last = (position + length - 1) >>> CHUNK_SHIFT;
        for (long chunk = first; chunk <= last; chunk++) {
            int word = (int) (chunk >>> 6);
            long bit = 1L << chunk;
            if ((bits.get(word) & bit) == 0) {
                bits.getAndAccumulate(word, bit, (a, b) -> a | b);
            }
        }
    }

    /**
     * Clears every dirty bit and hands each run of consecutive dirty chunks to {@code forcer}
     * as (byte position, byte length).
     */
    void drain(BiConsumer<Long, Long> forcer) {
        long runStart = -1;
        long runEnd = -1;
        for (int word = 0; word < bits.length(); word++) {
            long taken = bits.get(word) == 0 ? 0 : bits.getAndSet(word, 0);
            while (taken != 0) {
                long chunk = ((long) word << 6) + Long.numberOfTrailingZeros(taken);
                taken &= taken - 1;
                if (chunk == runEnd) {
                    runEnd++;
                } else {
                    if (runStart >= 0) {
                        forcer.accept(runStart << CHUNK_SHIFT, (runEnd - runStart) << CHUNK_SHIFT);
                    }
                    runStart = chunk;
                    runEnd = chunk + 1;
                }
            }
        }
        if (runStart >= 0) {
            forcer.accept(runStart << CHUNK_SHIFT, (runEnd - runStart) << CHUNK_SHIFT);
        }
    }
}

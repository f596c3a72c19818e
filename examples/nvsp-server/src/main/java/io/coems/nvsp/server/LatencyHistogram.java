package io.coems.nvsp.server;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lock-free histogram of durations in nanoseconds with log-linear buckets: every power of two
 * is split into {@value #SUB_BUCKETS} equal buckets, so a percentile is reported within about
 * 6 % of the true value whatever its magnitude, in a fixed 8 KiB. The maximum is exact.
 * Recording allocates nothing; many threads may record while another reads percentiles.
 */
final class LatencyHistogram {
    private static final int SUB_BITS = 4;
    private static final int SUB_BUCKETS = 1 << SUB_BITS;
    private static final int BUCKETS = (Long.SIZE - SUB_BITS + 1) * SUB_BUCKETS;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong max = new AtomicLong();

    /** Records one duration; negative values count as 0. */
    void record(long nanos) {
        long value = Math.max(0, nanos);
        counts.incrementAndGet(index(value));
        total.incrementAndGet();
        max.accumulateAndGet(value, Math::max);
    }

    /** How many durations were recorded. */
    long count() {
        return total.get();
    }

    /** The largest duration recorded, 0 if none. */
    long max() {
        return max.get();
    }

    /**
     * The duration below or at which {@code fraction} of the recorded ones lie: the upper bound
     * of the bucket holding that rank, never above {@link #max()}.
     *
     * @param fraction from 0 to 1, such as 0.99
     * @return the duration in nanoseconds, 0 if nothing was recorded
     */
    long percentile(double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("percentile fraction " + fraction + " is not from 0 to 1");
        }
        long recorded = total.get();
        if (recorded == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(fraction * recorded));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return Math.min(upperBound(i), max.get());
            }
        }
        return max.get();
    }

    /** Values below 16 have a bucket each; above, the top five bits choose it. */
    static int index(long value) {
        if (value < SUB_BUCKETS) {
            return (int) value;
        }
        int exponent = Long.SIZE - 1 - Long.numberOfLeadingZeros(value);
        int sub = (int) (value >>> (exponent - SUB_BITS)) & (SUB_BUCKETS - 1);
        return (exponent - SUB_BITS + 1) * SUB_BUCKETS + sub;
    }

    /** The largest value that falls into bucket {@code index}. */
    static long upperBound(int index) {
        if (index < SUB_BUCKETS) {
            return index;
        }
        int exponent = index / SUB_BUCKETS + SUB_BITS - 1;
        long sub = index % SUB_BUCKETS;
        long lower = (1L << exponent) + (sub << (exponent - SUB_BITS));
        long width = 1L << (exponent - SUB_BITS);
        return lower + width - 1 < lower ? Long.MAX_VALUE : lower + width - 1;
    }
}

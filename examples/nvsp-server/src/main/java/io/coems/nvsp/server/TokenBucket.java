package io.coems.nvsp.server;

/**
 * A token bucket: {@code rate} tokens a second, holding at most a tenth of a second's worth
 * (at least one). A request may go while the bucket holds any token and then takes what it
 * costs, so the bucket may go below zero: a large request is never starved by a small rate, it
 * only delays the next ones. Times are {@link System#nanoTime()} values given by the caller, so
 * tests drive it with a manual clock. Not thread-safe.
 */
final class TokenBucket {
    private static final double NANOS_PER_SECOND = 1e9;
    private static final double BURST_SECONDS = 0.1;

    private final double rate;
    private final double capacity;
    private double tokens;
    private long refilledNanos;

    /**
     * Creates a full bucket.
     *
     * @param ratePerSecond tokens added per second, positive
     * @param nowNanos the current time
     */
    TokenBucket(long ratePerSecond, long nowNanos) {
        if (ratePerSecond <= 0) {
            throw new IllegalArgumentException("token rate " + ratePerSecond + " is not positive");
        }
        this.rate = ratePerSecond;
        this.capacity = Math.max(1, ratePerSecond * BURST_SECONDS);
        this.tokens = capacity;
        this.refilledNanos = nowNanos;
    }

    /** Whether a request may go now: the bucket holds a token. */
    boolean available(long nowNanos) {
        refill(nowNanos);
        return tokens > 0;
    }

    /** Takes {@code amount} tokens, possibly going below zero. */
    void take(long amount) {
        tokens -= amount;
    }

    /** How long until {@link #available} turns true; 0 if it is now. */
    long nanosUntilAvailable(long nowNanos) {
        refill(nowNanos);
        return tokens > 0 ? 0 : (long) Math.ceil((Math.ulp(1.0) - tokens) * NANOS_PER_SECOND / rate) + 1;
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - refilledNanos;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed * rate / NANOS_PER_SECOND);
            refilledNanos = nowNanos;
        }
    }
}

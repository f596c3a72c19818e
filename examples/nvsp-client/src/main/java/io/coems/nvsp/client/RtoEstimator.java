package io.coems.nvsp.client;

/**
 * The retransmission timeout of RFC 6298: a smoothed round-trip time and its variation from
 * samples of requests that were sent once (Karn's rule: the caller gives no sample of a
 * retransmitted request), and {@code RTO = SRTT + 4 RTTVAR} clamped to
 * [{@link #MIN_RTO_NANOS}, {@link #MAX_RTO_NANOS}]. Before the first sample the RTO is
 * {@link #INITIAL_RTO_NANOS}. A retry doubles its request's own timeout ({@link #backoff}).
 *
 * <p>Thread-safe: the receive thread samples, sending threads read.
 */
final class RtoEstimator {
    /** The lowest timeout: 50 ms. */
    static final long MIN_RTO_NANOS = 50_000_000L;
    /** The highest timeout, also of a request backed off many times: 2 s. */
    static final long MAX_RTO_NANOS = 2_000_000_000L;
    /** The timeout before any sample: 1 s (RFC 6298 2.1). */
    static final long INITIAL_RTO_NANOS = 1_000_000_000L;

    private long srtt;
    private long rttvar;
    private boolean sampled;
    private volatile long rto = INITIAL_RTO_NANOS;

    /**
     * Adds a round-trip sample of a request sent once.
     *
     * @param rttNanos the time from sending to the complete response, at least 0
     */
    synchronized void sample(long rttNanos) {
        long r = Math.max(0, rttNanos);
        if (!sampled) {
            srtt = r;
            rttvar = r / 2;
            sampled = true;
        } else {
            rttvar = (3 * rttvar + Math.abs(srtt - r)) / 4;
            srtt = (7 * srtt + r) / 8;
        }
        rto = clamp(srtt + 4 * rttvar);
    }

    /**
     * Returns the current retransmission timeout.
     *
     * @return nanoseconds, within [{@link #MIN_RTO_NANOS}, {@link #MAX_RTO_NANOS}]
     */
    long rtoNanos() {
        return rto;
    }

    /**
     * Returns the smoothed round-trip time.
     *
     * @return nanoseconds, 0 before the first sample
     */
    synchronized long srttNanos() {
        return srtt;
    }

    /**
     * Returns the round-trip time variation.
     *
     * @return nanoseconds, 0 before the first sample
     */
    synchronized long rttvarNanos() {
        return rttvar;
    }

    /**
     * Returns the timeout of the next retry of a request: twice its last one, at most
     * {@link #MAX_RTO_NANOS}.
     *
     * @param timeoutNanos the request's last timeout
     * @return the doubled timeout
     */
    static long backoff(long timeoutNanos) {
        return Math.min(MAX_RTO_NANOS, 2 * timeoutNanos);
    }

    private static long clamp(long nanos) {
        return Math.max(MIN_RTO_NANOS, Math.min(MAX_RTO_NANOS, nanos));
    }
}

package io.coems.nvsp.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The RFC 6298 estimator: first sample, smoothing, clamping and backoff. */
class RtoEstimatorTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void beforeAnySampleTheTimeoutIsOneSecond() {
        RtoEstimator rto = new RtoEstimator();
        assertEquals(1000 * MS, rto.rtoNanos());
        assertEquals(0, rto.srttNanos());
        assertEquals(0, rto.rttvarNanos());
    }

    @Test
    void firstSampleSetsSrttAndHalfOfItAsVariation() {
        RtoEstimator rto = new RtoEstimator();
        rto.sample(100 * MS);
        assertEquals(100 * MS, rto.srttNanos());
        assertEquals(50 * MS, rto.rttvarNanos());
        assertEquals(300 * MS, rto.rtoNanos(), "SRTT + 4 RTTVAR");
    }

    @Test
    void laterSamplesAreSmoothedAsRfc6298Says() {
        RtoEstimator rto = new RtoEstimator();
        rto.sample(100 * MS);
        rto.sample(200 * MS);
        // RTTVAR = 3/4 * 50 + 1/4 * |100 - 200| = 62.5; SRTT = 7/8 * 100 + 1/8 * 200 = 112.5
        assertEquals(62_500_000, rto.rttvarNanos());
        assertEquals(112_500_000, rto.srttNanos());
        assertEquals(362_500_000, rto.rtoNanos());
    }

    @Test
    void theTimeoutIsAtLeastFiftyMilliseconds() {
        RtoEstimator rto = new RtoEstimator();
        rto.sample(100_000);
        for (int i = 0; i < 50; i++) {
            rto.sample(100_000);
        }
        assertEquals(RtoEstimator.MIN_RTO_NANOS, rto.rtoNanos());
    }

    @Test
    void theTimeoutIsAtMostTwoSeconds() {
        RtoEstimator rto = new RtoEstimator();
        rto.sample(5000 * MS);
        assertEquals(RtoEstimator.MAX_RTO_NANOS, rto.rtoNanos());
    }

    @Test
    void negativeSamplesCountAsZero() {
        RtoEstimator rto = new RtoEstimator();
        rto.sample(-5);
        assertEquals(0, rto.srttNanos());
        assertEquals(RtoEstimator.MIN_RTO_NANOS, rto.rtoNanos());
    }

    @Test
    void backoffDoublesUpToTheMaximum() {
        assertEquals(100 * MS, RtoEstimator.backoff(50 * MS));
        assertEquals(2000 * MS, RtoEstimator.backoff(1500 * MS));
        assertEquals(2000 * MS, RtoEstimator.backoff(2000 * MS));
    }
}

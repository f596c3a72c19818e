package io.coems.nvsp.client;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/** The client's counters, updated by any thread without locking; {@link ClientStats} reads them. */
final class Counters {
    final LongAdder requests = new LongAdder();
    final LongAdder retransmissions = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    final LongAdder nacksSent = new LongAdder();
    final LongAdder fragmentsResent = new LongAdder();
    final LongAdder rehandshakes = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder forged = new LongAdder();
    final LongAdder replayed = new LongAdder();
    final LongAdder malformed = new LongAdder();
    final LongAdder lateResponses = new LongAdder();

    /**
     * Reads the counters and the round-trip estimate.
     *
     * @param rto the estimator
     * @return a snapshot
     */
    ClientStats snapshot(RtoEstimator rto) {
        return new ClientStats(requests.sum(), retransmissions.sum(), timeouts.sum(), nacksSent.sum(),
                fragmentsResent.sum(), rehandshakes.sum(), dropped.sum(), forged.sum(), replayed.sum(),
                malformed.sum(), lateResponses.sum(),
                Duration.ofNanos(rto.srttNanos()), Duration.ofNanos(rto.rttvarNanos()));
    }
}

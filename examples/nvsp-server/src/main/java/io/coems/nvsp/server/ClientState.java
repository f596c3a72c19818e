package io.coems.nvsp.server;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the server keeps per pool client across its sessions: its counters and latency
 * histogram, its fairness weight and its optional IOPS and bandwidth caps (the token buckets,
 * used under the {@link Scheduler}'s lock). Counters are thread-safe.
 */
final class ClientState {
    private final long id;
    private volatile String name;
    private final int weight;
    private final TokenBucket iops;
    private final TokenBucket bandwidth;
    private final LongAdder requests = new LongAdder();
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder bytesWritten = new LongAdder();
    private final LongAdder retransmissions = new LongAdder();
    private final AtomicLongArray drops = new AtomicLongArray(Drop.values().length);
    private final LatencyHistogram latency = new LatencyHistogram();
    /** The client's place in the scheduler, shared by its sessions: one fair share per client. */
    private final Flow flow = new Flow(this);

    /**
     * Creates the state of a client.
     *
     * @param id the pool's client id
     * @param name its name
     * @param weight its fairness weight, positive
     * @param iopsLimit requests a second at most, 0 for no cap
     * @param bandwidthLimit data bytes a second at most, 0 for no cap
     * @param nowNanos the current time, for the buckets
     */
    ClientState(long id, String name, int weight, long iopsLimit, long bandwidthLimit, long nowNanos) {
        this.id = id;
        this.name = name;
        this.weight = weight;
        this.iops = iopsLimit > 0 ? new TokenBucket(iopsLimit, nowNanos) : null;
        this.bandwidth = bandwidthLimit > 0 ? new TokenBucket(bandwidthLimit, nowNanos) : null;
    }

    long id() {
        return id;
    }

    String name() {
        return name;
    }

    /** Records the name the client has now (it may have been renamed). */
    void name(String current) {
        name = current;
    }

    int weight() {
        return weight;
    }

    /** The client's place in the scheduler, shared by its sessions. */
    Flow flow() {
        return flow;
    }

    /** How long until the caps let a request go, 0 if they do now. Under the scheduler's lock. */
    long nanosUntilAllowed(long nowNanos) {
        long wait = iops == null ? 0 : iops.nanosUntilAvailable(nowNanos);
        return Math.max(wait, bandwidth == null ? 0 : bandwidth.nanosUntilAvailable(nowNanos));
    }

    /** Charges a request of {@code dataBytes} to the caps. Under the scheduler's lock. */
    void charge(long dataBytes) {
        if (iops != null) {
            iops.take(1);
        }
        chargeBandwidth(dataBytes);
    }

    /** Charges data bytes sent without a request of their own to the bandwidth cap. Under the scheduler's lock. */
    void chargeBandwidth(long bytes) {
        if (bandwidth != null) {
            bandwidth.take(bytes);
        }
    }

    /** Counts an executed request and its latency. */
    void executed(long latencyNanos, long read, long written) {
        requests.increment();
        latency.record(latencyNanos);
        if (read > 0) {
            bytesRead.add(read);
        }
        if (written > 0) {
            bytesWritten.add(written);
        }
    }

    /** Counts responses or fragments resent. */
    void retransmitted(int datagrams) {
        retransmissions.add(datagrams);
    }

    /** Counts a datagram or request not executed. */
    void dropped(Drop cause) {
        drops.incrementAndGet(cause.ordinal());
    }

    /** A snapshot of the counters. */
    ServerMetrics.ClientMetrics metrics() {
        return new ServerMetrics.ClientMetrics(id, name, requests.sum(), bytesRead.sum(), bytesWritten.sum(),
                retransmissions.sum(),
                new ServerMetrics.Drops(drop(Drop.FORGED), drop(Drop.REPLAYED), drop(Drop.MALFORMED),
                        drop(Drop.NO_CREDIT), drop(Drop.NO_SLOT), drop(Drop.STALE), drop(Drop.REFUSED)),
                new ServerMetrics.Latency(latency.count(), nanos(latency.percentile(0.5)),
                        nanos(latency.percentile(0.9)), nanos(latency.percentile(0.99)), nanos(latency.max())));
    }

    private long drop(Drop cause) {
        return drops.get(cause.ordinal());
    }

    private static Duration nanos(long nanos) {
        return Duration.ofNanos(nanos);
    }
}

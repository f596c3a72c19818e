package io.coems.nvsp.server;

import java.time.Duration;
import java.util.List;

/**
 * A snapshot of an {@link NvspServer}'s counters, from {@link NvspServer#metrics()}. Counters
 * count since the server started; per-client figures cover every session the client had.
 *
 * @param sessions sessions established now
 * @param handshakes handshakes completed (sessions opened) since the start
 * @param handshakeFailures AUTHENTICATEs dropped: wrong cookie, unknown client, client without
 *     key, wrong proof, malformed
 * @param unknownSessionAnswers ERROR/UNKNOWN_SESSION answers sent to datagrams of sessions the
 *     server does not know (rate-limited; the rest are dropped)
 * @param unattributedDrops datagrams dropped before a session or client was known: malformed
 *     frames and handshake messages, unknown sessions over the answer rate
 * @param clients every client that opened a session, by client id
 */
public record ServerMetrics(long sessions, long handshakes, long handshakeFailures, long unknownSessionAnswers,
        long unattributedDrops, List<ClientMetrics> clients) {
    /** Copies the list. */
    public ServerMetrics {
        clients = List.copyOf(clients);
    }

    /**
     * The figures of one client.
     *
     * @param clientId the pool's client id
     * @param name the client's name when its last session opened
     * @param requests requests executed (a retransmission answered from the cache is not one)
     * @param bytesRead data bytes read for the client
     * @param bytesWritten data bytes written for the client
     * @param retransmissions responses resent: duplicates answered from the cache, and
     *     fragments resent on the client's NACK
     * @param drops what was not executed, by cause
     * @param latency from a request's arrival (complete) to its response sent
     */
    public record ClientMetrics(long clientId, String name, long requests, long bytesRead, long bytesWritten,
            long retransmissions, Drops drops, Latency latency) {
    }

    /**
     * Datagrams and requests not executed, by cause.
     *
     * @param forged datagrams that failed authentication
     * @param replayed datagrams whose sequence was a replay
     * @param malformed messages that could not be decoded
     * @param noCredit requests beyond the session's credits
     * @param noSlot fragments or requests dropped for want of a reassembly slot or buffer
     * @param stale requests older than the duplicate cache
     * @param refused requests not permitted: unassigned volume, not a manager, stale token
     */
    public record Drops(long forged, long replayed, long malformed, long noCredit, long noSlot, long stale,
            long refused) {
        /** The sum of every cause. */
        public long total() {
            return forged + replayed + malformed + noCredit + noSlot + stale + refused;
        }
    }

    /**
     * Request latencies.
     *
     * @param count requests measured
     * @param p50 the median
     * @param p90 the 90th percentile
     * @param p99 the 99th percentile
     * @param max the longest
     */
    public record Latency(long count, Duration p50, Duration p90, Duration p99, Duration max) {
    }
}

package io.coems.nvsp.client;

import java.time.Duration;

/**
 * A snapshot of a client's counters since it connected.
 *
 * @param requests requests issued (each counted once, however often it was sent)
 * @param retransmissions requests sent again after their timeout, after {@code NO_CREDIT}, or
 *     on a new session
 * @param timeouts requests that got no answer within the request timeout
 * @param nacksSent NACKs sent for missing fragments of responses
 * @param fragmentsResent request fragments sent again because the server NACKed them
 * @param rehandshakes new handshakes run after losing the session (server restart,
 *     {@code ESHUTDOWN}, {@code UNKNOWN_SESSION}, sequence exhausted)
 * @param dropped datagrams dropped: forged (tag or proof failed), replayed, malformed or
 *     unexpected (including read data that failed its checksum)
 * @param forged of those, datagrams whose tag or handshake proof did not verify, or that were
 *     not protected as negotiated
 * @param replayed of those, datagrams whose sequence was seen before or is older than the
 *     replay window
 * @param malformed of those, datagrams that do not follow the wire format
 * @param lateResponses responses to requests no longer waiting (answered, timed out or
 *     abandoned), ignored
 * @param srtt the smoothed round-trip time (RFC 6298), zero before the first sample
 * @param rttvar the round-trip time variation, zero before the first sample
 */
public record ClientStats(long requests, long retransmissions, long timeouts, long nacksSent,
        long fragmentsResent, long rehandshakes, long dropped, long forged, long replayed, long malformed,
        long lateResponses, Duration srtt,
        Duration rttvar) {
}

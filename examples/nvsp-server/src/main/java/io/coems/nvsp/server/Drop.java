package io.coems.nvsp.server;

/**
 * Why a datagram or request was not executed; each cause is counted per client and logged at
 * warn once per session.
 */
enum Drop {
    /** The tag did not verify, or the protection flags were not the negotiated ones: dropped. */
    FORGED("a datagram failed authentication"),
    /** The sequence was seen before or is too old: dropped. */
    REPLAYED("a datagram was a replay"),
    /** The message could not be decoded: answered EINVAL when its request id was readable. */
    MALFORMED("a malformed message"),
    /** More requests in flight than the session's credits: answered NO_CREDIT. */
    NO_CREDIT("more requests in flight than credits"),
    /** No reassembly slot or request buffer was free: dropped, the client retransmits. */
    NO_SLOT("no reassembly slot or buffer free"),
    /** The request id was older than the duplicate-request cache: answered STALE_REQUEST. */
    STALE("a request id older than the duplicate cache"),
    /** Not permitted (volume not assigned, not a manager, stale fencing token): answered, not executed. */
    REFUSED("a refused request");

    private final String description;

    Drop(String description) {
        this.description = description;
    }

    /** What happened, for the log. */
    String description() {
        return description;
    }
}

package io.coems.nvsp;

/**
 * The status a response carries (unsigned 32 bits on the wire).
 *
 * <p>Data-path failures reuse NBD's error numbers so a gateway maps them one to one. Protocol
 * failures live in their own range starting at {@code 0x1000}. {@link #DROP} is not a wire value:
 * it tells a server that the offending datagram must be dropped, not answered.
 */
public enum Status {
    /** The request succeeded. */
    OK(0),
    /** Operation not permitted (NBD EPERM). */
    EPERM(1),
    /** Input/output error, also a data checksum mismatch (NBD EIO). */
    EIO(5),
    /** Out of memory (NBD ENOMEM). */
    ENOMEM(12),
    /** Invalid argument or malformed message (NBD EINVAL). */
    EINVAL(22),
    /** No space left (NBD ENOSPC). */
    ENOSPC(28),
    /** Offset or length beyond the end of the volume (NBD EOVERFLOW). */
    EOVERFLOW(75),
    /** Operation or message type not supported (NBD ENOTSUP). */
    ENOTSUP(95),
    /** Server shutting down (NBD ESHUTDOWN). */
    ESHUTDOWN(108),
    /** The volume id names no volume. */
    NO_SUCH_VOLUME(0x1000),
    /** The volume, snapshot or client to create exists already. */
    EXISTS(0x1001),
    /** The management lease is held by another manager. */
    LEASE_HELD(0x1002),
    /** The fencing token is not the one of the current lease. */
    STALE_FENCING_TOKEN(0x1003),
    /** The session id names no session. */
    UNKNOWN_SESSION(0x1004),
    /** The request id is older than the server's duplicate-request window. */
    STALE_REQUEST(0x1005),
    /** The client has more requests in flight than its credits allow. */
    NO_CREDIT(0x1006),
    /** No protocol version is supported by both sides. */
    UNSUPPORTED_VERSION(0x1007),
    /** The snapshot id names no snapshot. */
    NO_SUCH_SNAPSHOT(0x1008),
    /** The client id names no registered client. */
    NO_SUCH_CLIENT(0x1009),
    /** A status code this codec does not know; its {@link #code()} is -1. */
    UNKNOWN(-1),
    /** Not a wire value: drop the datagram and count it, do not answer. */
    DROP(-2);

    private static final Status[] WIRE = {
        OK, EPERM, EIO, ENOMEM, EINVAL, ENOSPC, EOVERFLOW, ENOTSUP, ESHUTDOWN, NO_SUCH_VOLUME,
        EXISTS, LEASE_HELD, STALE_FENCING_TOKEN, UNKNOWN_SESSION, STALE_REQUEST, NO_CREDIT,
        UNSUPPORTED_VERSION, NO_SUCH_SNAPSHOT, NO_SUCH_CLIENT
    };

    private final int code;

    Status(int code) {
        this.code = code;
    }

    /**
     * Returns the wire value.
     *
     * @return the code, or a negative number for {@link #UNKNOWN} and {@link #DROP}
     */
    public int code() {
        return code;
    }

    /**
     * Maps a wire value to its status without allocating.
     *
     * @param code the unsigned 32-bit wire value
     * @return the status, {@link #UNKNOWN} for a value this codec does not know
     */
    public static Status of(long code) {
        for (Status status : WIRE) {
            if (status.code == code) {
                return status;
            }
        }
        return UNKNOWN;
    }
}

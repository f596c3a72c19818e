package io.coems.nvsp;

/**
 * The base of every exception the codec throws. Unchecked: a caller catches this type to know
 * that a datagram was rejected by the codec and nothing else went wrong.
 *
 * <p>Each subclass names what the caller can act on and {@link #status()} gives the status a
 * server should answer with, or {@link Status#DROP} when the datagram must be dropped silently.
 */
public class NvspException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The status to answer with. */
    private final Status status;

    /**
     * Creates an exception with a stack trace.
     *
     * @param message what went wrong
     * @param status the status to answer with, or {@link Status#DROP}
     */
    public NvspException(String message, Status status) {
        super(message);
        this.status = status;
    }

    /**
     * Creates an exception, optionally without a stack trace: used for rejections an attacker
     * can provoke at line rate (forgeries, replays), where filling a stack trace is wasted work.
     *
     * @param message what went wrong
     * @param status the status to answer with, or {@link Status#DROP}
     * @param stackTrace whether to record a stack trace
     */
    protected NvspException(String message, Status status, boolean stackTrace) {
        super(message, null, false, stackTrace);
        this.status = status;
    }

    /**
     * Returns the status a server answers the offending request with.
     *
     * @return the status, {@link Status#DROP} when the datagram must not be answered
     */
    public Status status() {
        return status;
    }
}

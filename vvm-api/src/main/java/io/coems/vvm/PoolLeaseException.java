package io.coems.vvm;

/** A configuration change without the management lease, with a stale fencing token, or while another front-end holds the lease. Nothing changed. */
public class PoolLeaseException extends PoolException {
    /** An exception whose message names the offending value or object. */
    public PoolLeaseException(String message) {
        super(message);
    }

    /** An exception with a message and the cause that led to it. */
    public PoolLeaseException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.coems.vvm;

/** The pool is closed. */
public class PoolClosedException extends PoolException {
    /** An exception whose message names the offending value or object. */
    public PoolClosedException(String message) {
        super(message);
    }

    /** An exception with a message and the cause that led to it. */
    public PoolClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}

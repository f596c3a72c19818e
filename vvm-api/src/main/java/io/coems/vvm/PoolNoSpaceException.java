package io.coems.vvm;

/** The pool has no space left for the operation. Nothing changed; deleting a snapshot or volume, or growing the pool, frees space. */
public class PoolNoSpaceException extends PoolException {
    /** An exception whose message names the offending value or object. */
    public PoolNoSpaceException(String message) {
        super(message);
    }

    /** An exception with a message and the cause that led to it. */
    public PoolNoSpaceException(String message, Throwable cause) {
        super(message, cause);
    }
}

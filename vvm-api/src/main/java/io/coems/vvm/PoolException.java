package io.coems.vvm;

/**
 * The base of every exception the Virtual Volume API throws; unchecked. Its subclasses name
 * what a caller can act on; each message names the offending value, object or file.
 */
public class PoolException extends RuntimeException {
    /** An exception with a message naming what failed. */
    public PoolException(String message) {
        super(message);
    }

    /** An exception with a message and the cause that led to it. */
    public PoolException(String message, Throwable cause) {
        super(message, cause);
    }
}

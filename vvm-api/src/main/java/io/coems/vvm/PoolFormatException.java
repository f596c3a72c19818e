package io.coems.vvm;

/** The files or devices hold no COEMS pool, or one of a newer format than this code reads. */
public class PoolFormatException extends PoolException {
    /** An exception whose message names the offending value or object. */
    public PoolFormatException(String message) {
        super(message);
    }

    /** An exception with a message and the cause that led to it. */
    public PoolFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

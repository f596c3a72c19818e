package io.coems.vvm;

/** The pool's metadata is damaged; the message names what. */
public class PoolCorruptException extends PoolException {
    /** An exception whose message names the offending value or object. */
    public PoolCorruptException(String message) {
        super(message);
    }

    /** An exception with a message and the cause that led to it. */
    public PoolCorruptException(String message, Throwable cause) {
        super(message, cause);
    }
}

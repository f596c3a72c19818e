package io.coems.vvm;

/** A bad argument: a name, size, range, or an object of another volume. Nothing changed. */
public class PoolArgumentException extends PoolException {
    /** An exception whose message names the offending value or object. */
    public PoolArgumentException(String message) {
        super(message);
    }

    /** An exception with a message and the cause that led to it. */
    public PoolArgumentException(String message, Throwable cause) {
        super(message, cause);
    }
}

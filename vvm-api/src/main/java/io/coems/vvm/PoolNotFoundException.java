package io.coems.vvm;

/** No volume, snapshot or client of that name or id: it never existed or was deleted. */
public class PoolNotFoundException extends PoolException {
    /** An exception whose message names the offending value or object. */
    public PoolNotFoundException(String message) {
        super(message);
    }

    /** An exception with a message and the cause that led to it. */
    public PoolNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}

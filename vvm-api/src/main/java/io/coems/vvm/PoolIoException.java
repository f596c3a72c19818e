package io.coems.vvm;

/** A device below the pool failed; the cause is the device's exception. */
public class PoolIoException extends PoolException {
    /** An exception whose message names the offending value or object. */
    public PoolIoException(String message) {
        super(message);
    }

    /** An exception with a message and the cause that led to it. */
    public PoolIoException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.coems.vvm;

/** A write to a snapshot or to a volume set read-only. Nothing changed. */
public class PoolReadOnlyException extends PoolException {
    /** An exception whose message names the offending value or object. */
    public PoolReadOnlyException(String message) {
        super(message);
    }

    /** An exception with a message and the cause that led to it. */
    public PoolReadOnlyException(String message, Throwable cause) {
        super(message, cause);
    }
}

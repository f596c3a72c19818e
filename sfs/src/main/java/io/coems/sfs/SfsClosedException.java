package io.coems.sfs;

/** The file system was closed before or during the call. */
public class SfsClosedException extends SfsException {
    /** An exception whose message names the offending value or block. */
    public SfsClosedException(String message) {
        super(message);
    }

    /** An exception with a message and the cause that led to it. */
    public SfsClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.coems.sfs;

/** The Storage Matrix below failed to read, write or flush; the cause is the matrix's exception. */
public class SfsIoException extends SfsException {
    /** An exception whose message names the offending value or block. */
    public SfsIoException(String message) {
        super(message);
    }

    /** An exception with a message and the cause that led to it. */
    public SfsIoException(String message, Throwable cause) {
        super(message, cause);
    }
}

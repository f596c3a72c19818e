package io.coems.sfs;

/** The base of every exception the Super File System throws. Unchecked; a caller that wants to act catches a subclass. */
public class SfsException extends RuntimeException {
    /** An exception whose message names the offending value or block. */
    public SfsException(String message) {
        super(message);
    }

    /** An exception with a message and the cause that led to it. */
    public SfsException(String message, Throwable cause) {
        super(message, cause);
    }
}

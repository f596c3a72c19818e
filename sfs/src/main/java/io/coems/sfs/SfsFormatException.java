package io.coems.sfs;

/** The store holds no SFS, or one this code cannot open: a newer format version or unknown incompatible features. */
public class SfsFormatException extends SfsException {
    /** An exception whose message names the offending value or block. */
    public SfsFormatException(String message) {
        super(message);
    }

    /** An exception with a message and the cause that led to it. */
    public SfsFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

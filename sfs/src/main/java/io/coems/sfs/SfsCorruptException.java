package io.coems.sfs;

/** Metadata failed its checksum or contradicts itself. The message names the block. */
public class SfsCorruptException extends SfsException {
    /** An exception whose message names the offending value or block. */
    public SfsCorruptException(String message) {
        super(message);
    }

    /** An exception with a message and the cause that led to it. */
    public SfsCorruptException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.coems.sfs;

/** A caller passed something SFS refuses: an offset or length out of range, a size beyond the maximum, a payload too large. Nothing was changed. */
public class SfsArgumentException extends SfsException {
    /** An exception whose message names the offending value or block. */
    public SfsArgumentException(String message) {
        super(message);
    }

    /** An exception with a message and the cause that led to it. */
    public SfsArgumentException(String message, Throwable cause) {
        super(message, cause);
    }
}

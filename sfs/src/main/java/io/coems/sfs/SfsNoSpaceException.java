package io.coems.sfs;

/** The store has no free block (or vnode, or descriptor slot) left for the operation. Thrown before any change; deleting something frees space again. */
public class SfsNoSpaceException extends SfsException {
    /** An exception whose message names the offending value or block. */
    public SfsNoSpaceException(String message) {
        super(message);
    }

    /** An exception with a message and the cause that led to it. */
    public SfsNoSpaceException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.coems.sfs;

/** A vnode or descriptor id names nothing: never created, deleted, or a stale id whose slot was reused (its generation differs). */
public class SfsNotFoundException extends SfsException {
    /** An exception whose message names the offending value or block. */
    public SfsNotFoundException(String message) {
        super(message);
    }

    /** An exception with a message and the cause that led to it. */
    public SfsNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.coems.nvsp.client;

import io.coems.nvsp.Status;

/**
 * An input/output error: the server answered {@code EIO} (its storage failed, or the data it
 * received did not match its checksum), or the client's socket failed (status null, the
 * {@code IOException} as cause).
 */
public class RemoteIoException extends RemoteException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what failed
     * @param status {@link Status#EIO}, or null for a local socket error
     * @param cause the local cause, or null
     */
    public RemoteIoException(String message, Status status, Throwable cause) {
        super(message, status, cause);
    }
}

package io.coems.nvsp.client;

import io.coems.nvsp.Status;

/**
 * The server's pool has no space left for the request ({@code ENOSPC}).
 */
public class RemoteNoSpaceException extends RemoteException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was refused
     * @param status the server's status
     */
    public RemoteNoSpaceException(String message, Status status) {
        super(message, status);
    }
}

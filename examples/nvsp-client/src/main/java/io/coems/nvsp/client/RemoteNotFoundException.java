package io.coems.nvsp.client;

import io.coems.nvsp.Status;

/**
 * The volume, snapshot or client named does not exist: {@code NO_SUCH_VOLUME}, {@code
 * NO_SUCH_SNAPSHOT} or {@code NO_SUCH_CLIENT}.
 */
public class RemoteNotFoundException extends RemoteException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was refused
     * @param status the server's status
     */
    public RemoteNotFoundException(String message, Status status) {
        super(message, status);
    }
}

package io.coems.nvsp.client;

import io.coems.nvsp.Status;

/**
 * The server refused the request: {@code EPERM} (the volume is not assigned to this client, it is
 * read-only, or the client is no manager), {@code STALE_FENCING_TOKEN} (the management lease was
 * lost or never held) or {@code LEASE_HELD} (another manager holds it).
 */
public class RemotePermissionException extends RemoteException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was refused
     * @param status the server's status
     */
    public RemotePermissionException(String message, Status status) {
        super(message, status);
    }
}

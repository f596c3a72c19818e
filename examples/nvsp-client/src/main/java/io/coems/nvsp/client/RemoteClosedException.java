package io.coems.nvsp.client;

import io.coems.nvsp.Status;

/**
 * The client is closed: {@link NvspClient#close()} was called, the server ended the session
 * with a reason other than {@code ESHUTDOWN} (the status), or a new handshake after losing the
 * session got no answer. Calls waiting at that moment and every later call fail with it.
 */
public class RemoteClosedException extends RemoteException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message why the client is closed
     * @param status the reason the server sent in CLOSE, or null when the client closed
     * @param cause the failure that closed the client, or null
     */
    public RemoteClosedException(String message, Status status, Throwable cause) {
        super(message, status, cause);
    }
}

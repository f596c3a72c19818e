package io.coems.nvsp.client;

import io.coems.nvsp.Status;

/**
 * An argument is invalid. Either the client found it before sending anything (a negative
 * offset or length, a null buffer, a range beyond the buffer, a pre-shared key of the wrong
 * length; status null) or the server refused it: {@code EINVAL}, {@code EOVERFLOW} (a range
 * beyond the end of the volume) or {@code EXISTS} (the name is taken).
 */
public class RemoteArgumentException extends RemoteException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the offending value and the rule it breaks
     * @param status the server's status, or null when the client found it
     */
    public RemoteArgumentException(String message, Status status) {
        super(message, status);
    }

    /**
     * Creates the exception for a bad argument found by the client.
     *
     * @param message the offending value and the rule it breaks
     */
    public RemoteArgumentException(String message) {
        super(message, null);
    }
}

package io.coems.nvsp.client;

/**
 * No answer came within the request timeout, retransmissions included, or the handshake got no
 * ACCEPT in time. The request may or may not have been executed. Its status is null.
 */
public class RemoteTimeoutException extends RemoteException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what timed out, and after how long
     */
    public RemoteTimeoutException(String message) {
        super(message, null);
    }
}

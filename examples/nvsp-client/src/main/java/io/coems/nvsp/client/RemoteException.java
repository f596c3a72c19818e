package io.coems.nvsp.client;

import io.coems.nvsp.Status;

/**
 * The base of every exception the client library throws. Unchecked. {@link #status()} is the
 * status the server answered with, or null when the failure is local (a bad argument, a
 * timeout, a closed client, a socket error). Subclasses name what a caller can act on; a
 * status without a subclass of its own (such as {@link Status#STALE_REQUEST}, which means the
 * server no longer knows whether the request was executed) arrives as this class.
 */
public class RemoteException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The server's status, null when local. */
    private final Status status;

    /**
     * Creates an exception.
     *
     * @param message what failed, naming the offending value
     * @param status the server's status, or null when the failure is local
     */
    public RemoteException(String message, Status status) {
        this(message, status, null);
    }

    /**
     * Creates an exception with a cause.
     *
     * @param message what failed, naming the offending value
     * @param status the server's status, or null when the failure is local
     * @param cause the underlying failure, or null
     */
    public RemoteException(String message, Status status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /**
     * Returns the status the server answered with.
     *
     * @return the status, or null when the failure is local
     */
    public Status status() {
        return status;
    }

    /**
     * Returns the exception for a status a server answered a request with.
     *
     * @param status the status, not {@link Status#OK}
     * @param request the request, for the message (such as "READ of 4096 bytes at 0 of volume 3")
     * @return the typed exception for the status
     */
    static RemoteException of(Status status, String request) {
        String message = request + ": the server answered " + status;
        return switch (status) {
            case EPERM, STALE_FENCING_TOKEN, LEASE_HELD -> new RemotePermissionException(message, status);
            case NO_SUCH_VOLUME, NO_SUCH_SNAPSHOT, NO_SUCH_CLIENT -> new RemoteNotFoundException(message, status);
            case ENOSPC -> new RemoteNoSpaceException(message, status);
            case EINVAL, EOVERFLOW, EXISTS -> new RemoteArgumentException(message, status);
            case EIO -> new RemoteIoException(message, status, null);
            default -> new RemoteException(message, status);
        };
    }
}

package io.coems.nvsp;

/**
 * A datagram or handshake message failed authentication: its tag or proof does not verify, it
 * is unprotected on a protected session, or its protection mode is not the negotiated one.
 * The datagram must be dropped and counted, never answered. Carries no stack trace.
 */
public class AuthenticationException extends NvspException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param reason what failed
     */
    public AuthenticationException(String reason) {
        super(reason, Status.DROP, false);
    }
}

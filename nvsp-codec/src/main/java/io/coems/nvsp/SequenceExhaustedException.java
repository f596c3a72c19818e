package io.coems.nvsp;

/**
 * A sender used every packet sequence its session keys allow: sealing one more datagram would
 * reuse an AES-GCM nonce. The session must be closed and a new handshake run.
 */
public class SequenceExhaustedException extends NvspException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public SequenceExhaustedException() {
        super("packet sequence exhausted: run a new handshake", Status.ESHUTDOWN);
    }
}

package io.coems.nvsp;

/**
 * A datagram's packet sequence was already received or is older than the replay window. The
 * datagram must be dropped and counted, never answered. Carries no stack trace.
 */
public class ReplayException extends NvspException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param sequence the replayed sequence, unsigned
     */
    public ReplayException(long sequence) {
        super("replayed or too old packet sequence " + Long.toUnsignedString(sequence), Status.DROP, false);
    }
}

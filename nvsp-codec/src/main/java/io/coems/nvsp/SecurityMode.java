package io.coems.nvsp;

/**
 * How the datagrams of a session are protected after the handshake (one byte on the wire).
 * Both modes authenticate every datagram with AES-256-GCM; they differ in what is encrypted.
 */
public enum SecurityMode {
    /** The payload is encrypted and authenticated (AES-256-GCM, header as associated data). */
    ENCRYPTED(1),
    /** The payload travels in clear and is authenticated (GMAC: AES-256-GCM with no plaintext). */
    INTEGRITY_ONLY(2);

    private final int code;

    SecurityMode(int code) {
        this.code = code;
    }

    /**
     * Returns the wire value.
     *
     * @return 1 or 2
     */
    public int code() {
        return code;
    }

    /**
     * Maps a wire value to its mode.
     *
     * @param code the wire value
     * @return the mode, or null when the value names none
     */
    public static SecurityMode ofCode(int code) {
        return switch (code) {
            case 1 -> ENCRYPTED;
            case 2 -> INTEGRITY_ONLY;
            default -> null;
        };
    }
}

package io.coems.nvsp.crypto;

import java.nio.charset.StandardCharsets;

/** The two directions of a session; each has its own key, nonce prefix and sequence. */
public enum Direction {
    /** Datagrams the client sends. */
    CLIENT_TO_SERVER("nvsp1 c2s"),
    /** Datagrams the server sends. */
    SERVER_TO_CLIENT("nvsp1 s2c");

    private final String label;

    Direction(String label) {
        this.label = label;
    }

    /**
     * Returns the HKDF info label of this direction's traffic key.
     *
     * @return the label as ASCII bytes
     */
    byte[] label() {
        return label.getBytes(StandardCharsets.US_ASCII);
    }
}

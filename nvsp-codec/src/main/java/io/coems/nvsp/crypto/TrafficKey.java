package io.coems.nvsp.crypto;

import javax.crypto.SecretKey;

/**
 * The secrets of one direction of a session: the AES-256 key and the nonce prefix.
 *
 * @param key the AES-256 key
 * @param noncePrefix the first {@link #NONCE_PREFIX_LENGTH} bytes of every GCM nonce
 */
public record TrafficKey(SecretKey key, byte[] noncePrefix) {
    /** Size of the nonce prefix. */
    public static final int NONCE_PREFIX_LENGTH = 4;

    /**
     * Checks and copies the prefix.
     *
     * @param key the AES-256 key
     * @param noncePrefix {@link #NONCE_PREFIX_LENGTH} bytes
     */
    public TrafficKey {
        if (noncePrefix.length != NONCE_PREFIX_LENGTH) {
            throw new IllegalArgumentException("nonce prefix of " + noncePrefix.length + " bytes");
        }
        noncePrefix = noncePrefix.clone();
    }

    /**
     * Returns a copy of the nonce prefix.
     *
     * @return {@link #NONCE_PREFIX_LENGTH} bytes
     */
    @Override
    public byte[] noncePrefix() {
        return noncePrefix.clone();
    }
}

package io.coems.nvsp.crypto;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HKDF (RFC 5869) over HMAC-SHA256: the key derivation of the handshake. Allocates. */
public final class Hkdf {
    /** Size of an HMAC-SHA256 output, and so of a pseudorandom key. */
    public static final int HASH_LENGTH = 32;

    private static final String HMAC = "HmacSHA256";

    private Hkdf() {
    }

    /**
     * HKDF-Extract: concentrates the entropy of the input keying material.
     *
     * @param salt a non-secret random value; empty means {@link #HASH_LENGTH} zeros
     * @param inputKeyMaterial the secret, such as a pre-shared key
     * @return the pseudorandom key, {@link #HASH_LENGTH} bytes
     */
    public static byte[] extract(byte[] salt, byte[] inputKeyMaterial) {
        return hmac(salt.length == 0 ? new byte[HASH_LENGTH] : salt, inputKeyMaterial);
    }

    /**
     * HKDF-Expand: stretches a pseudorandom key into output keying material bound to a context.
     *
     * @param prk a pseudorandom key from {@link #extract}
     * @param info the context, so different uses get independent keys
     * @param length bytes wanted, at most 255 * {@link #HASH_LENGTH}
     * @return the output keying material
     */
    public static byte[] expand(byte[] prk, byte[] info, int length) {
        if (length < 0 || length > 255 * HASH_LENGTH) {
            throw new IllegalArgumentException("HKDF output length " + length);
        }
        Mac mac = mac(prk);
        byte[] output = new byte[length];
        byte[] block = new byte[0];
        for (int filled = 0, counter = 1; filled < length; counter++) {
            mac.update(block);
            mac.update(info);
            mac.update((byte) counter);
            block = mac.doFinal();
            int chunk = Math.min(block.length, length - filled);
            System.arraycopy(block, 0, output, filled, chunk);
            filled += chunk;
        }
        return output;
    }

    /**
     * HMAC-SHA256 of the concatenated parts.
     *
     * @param key the key
     * @param parts the message, in pieces
     * @return the {@link #HASH_LENGTH}-byte MAC
     */
    public static byte[] hmac(byte[] key, byte[]... parts) {
        Mac mac = mac(key);
        for (byte[] part : parts) {
            mac.update(part);
        }
        return mac.doFinal();
    }

    private static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("the JDK must provide " + HMAC, e);
        }
    }
}

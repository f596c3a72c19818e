package io.coems.nvsp.crypto;

import io.coems.nvsp.AuthenticationException;
import io.coems.nvsp.message.Accept;
import io.coems.nvsp.message.Authenticate;
import io.coems.nvsp.message.Cookie;
import io.coems.nvsp.message.Hello;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.Consumer;

/**
 * The proofs of the handshake and the keys it yields. Both sides hold the client's pre-shared
 * key (PSK); neither sends it.
 *
 * <pre>
 * cookie       = HMAC-SHA256(server secret, "nvsp1 cookie" || client address || window
 *                            || clientId || clientNonce           (8-byte fields LE)
 *                            || minVersion || maxVersion || version)  (2-byte fields LE)
 * client proof = HMAC-SHA256(PSK, "nvsp1 client proof" || AUTHENTICATE with proof zeroed)
 * server proof = HMAC-SHA256(PSK, "nvsp1 server proof" || AUTHENTICATE with proof zeroed
 *                                 || client proof || ACCEPT with proof zeroed)
 * </pre>
 *
 * The cookie lets a server answer HELLO without keeping state: it recomputes the cookie when
 * AUTHENTICATE arrives, accepting the current and the previous time window. The messages in
 * the proofs are taken whole as encoded (header, block as long as the sender wrote it,
 * variable data), so every field, including fields a later version appends, is covered.
 *
 * <p>Version negotiation is bound to the proofs: AUTHENTICATE repeats the range the client
 * offered in HELLO next to the version COOKIE chose, the client proof covers both, and the
 * cookie covers the range the server saw in HELLO and the version it chose. A man in the middle
 * who narrows HELLO's range or changes COOKIE's version makes the echoed cookie fail.
 * Everything here allocates; it runs once per session. Proofs are compared in constant time.
 */
public final class Handshake {
    private static final byte[] CLIENT_LABEL = "nvsp1 client proof".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SERVER_LABEL = "nvsp1 server proof".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COOKIE_LABEL = "nvsp1 cookie".getBytes(StandardCharsets.US_ASCII);

    private Handshake() {
    }

    /**
     * Computes the cookie a server sends in COOKIE.
     *
     * @param serverSecret a random secret of the server, rotated at will
     * @param clientAddress the client's address as the server sees it (IP and port bytes)
     * @param window the current time window, such as epoch seconds / 60
     * @param hello the HELLO being answered, wrapped
     * @param version the version the server chose from HELLO's range, sent in COOKIE
     * @return the {@link io.coems.nvsp.message.Cookie#COOKIE_LENGTH}-byte cookie
     */
    public static byte[] cookie(byte[] serverSecret, byte[] clientAddress, long window, Hello hello, int version) {
        byte[] nonce = new byte[Hello.NONCE_LENGTH];
        hello.clientNonce(nonce);
        return cookie(serverSecret, clientAddress, window, hello.clientId(), nonce,
                versions(hello.minVersion(), hello.maxVersion(), version));
    }

    /**
     * Checks the cookie echoed in AUTHENTICATE against the current and the previous window. As
     * the cookie covers the version range of HELLO and the version of COOKIE, this also checks
     * that AUTHENTICATE's range and version are the ones the server saw and chose.
     *
     * @param serverSecret the secret the cookie was computed with
     * @param clientAddress the client's address as the server sees it
     * @param window the current time window
     * @param authenticate the message, wrapped
     * @throws AuthenticationException if the cookie matches neither window, or the version
     *     range or version differ from HELLO's and COOKIE's
     */
    public static void verifyCookie(byte[] serverSecret, byte[] clientAddress, long window,
            Authenticate authenticate) {
        byte[] nonce = new byte[Hello.NONCE_LENGTH];
        authenticate.clientNonce(nonce);
        byte[] echoed = new byte[Cookie.COOKIE_LENGTH];
        authenticate.cookie(echoed);
        byte[] versions = versions(authenticate.minVersion(), authenticate.maxVersion(), authenticate.version());
        for (long candidate : new long[] {window, window - 1}) {
            if (MessageDigest.isEqual(echoed,
                    cookie(serverSecret, clientAddress, candidate, authenticate.clientId(), nonce, versions))) {
                return;
            }
        }
        throw new AuthenticationException("cookie does not verify");
    }

    private static byte[] cookie(byte[] secret, byte[] address, long window, long clientId, byte[] nonce,
            byte[] versions) {
        return Hkdf.hmac(secret, COOKIE_LABEL, address, littleEndian(window), littleEndian(clientId), nonce,
                versions);
    }

    /** Offered range and chosen version as three 2-byte little-endian fields. */
    private static byte[] versions(int min, int max, int chosen) {
        return new byte[] {(byte) min, (byte) (min >>> 8), (byte) max, (byte) (max >>> 8),
            (byte) chosen, (byte) (chosen >>> 8)};
    }

    private static byte[] littleEndian(long value) {
        byte[] bytes = new byte[Long.BYTES];
        LittleEndian.put(value, bytes, 0);
        return bytes;
    }

    /**
     * Writes the client's proof into AUTHENTICATE; call after every other field is set.
     *
     * @param psk the client's pre-shared key
     * @param authenticate the message, wrapped for encoding
     */
    public static void sign(byte[] psk, Authenticate authenticate) {
        authenticate.putProof(clientProof(psk, authenticate));
    }

    /**
     * Checks the client's proof in a received AUTHENTICATE.
     *
     * @param psk the pre-shared key registered for {@link Authenticate#clientId()}
     * @param authenticate the message, wrapped
     * @throws AuthenticationException if the proof does not verify
     */
    public static void verify(byte[] psk, Authenticate authenticate) {
        check(clientProof(psk, authenticate), authenticate::proof);
    }

    /**
     * Writes the server's proof into ACCEPT; call after every other field is set.
     *
     * @param psk the client's pre-shared key
     * @param authenticate the AUTHENTICATE being accepted, wrapped
     * @param accept the message, wrapped for encoding
     */
    public static void sign(byte[] psk, Authenticate authenticate, Accept accept) {
        accept.putProof(serverProof(psk, authenticate, accept));
    }

    /**
     * Checks the server's proof in a received ACCEPT.
     *
     * @param psk the client's pre-shared key
     * @param authenticate the AUTHENTICATE the client sent, wrapped
     * @param accept the message, wrapped
     * @throws AuthenticationException if the proof does not verify
     */
    public static void verify(byte[] psk, Authenticate authenticate, Accept accept) {
        check(serverProof(psk, authenticate, accept), accept::proof);
    }

    /**
     * Derives the session keys once ACCEPT is signed (server) or verified (client).
     *
     * @param psk the client's pre-shared key
     * @param authenticate the AUTHENTICATE of the handshake, wrapped
     * @param accept the ACCEPT of the handshake, wrapped
     * @return the keys of both directions
     */
    public static SessionKeys keys(byte[] psk, Authenticate authenticate, Accept accept) {
        byte[] clientNonce = new byte[Hello.NONCE_LENGTH];
        byte[] serverNonce = new byte[Hello.NONCE_LENGTH];
        authenticate.clientNonce(clientNonce);
        accept.serverNonce(serverNonce);
        return SessionKeys.derive(psk, clientNonce, serverNonce, accept.sessionId());
    }

    private static byte[] clientProof(byte[] psk, Authenticate authenticate) {
        return Hkdf.hmac(psk, CLIENT_LABEL, authenticate.transcript());
    }

    private static byte[] serverProof(byte[] psk, Authenticate authenticate, Accept accept) {
        byte[] clientProof = new byte[Authenticate.PROOF_LENGTH];
        authenticate.proof(clientProof);
        return Hkdf.hmac(psk, SERVER_LABEL, authenticate.transcript(), clientProof, accept.transcript());
    }

    private static void check(byte[] expected, Consumer<byte[]> received) {
        byte[] proof = new byte[Authenticate.PROOF_LENGTH];
        received.accept(proof);
        if (!MessageDigest.isEqual(expected, proof)) {
            throw new AuthenticationException("handshake proof does not verify");
        }
    }
}

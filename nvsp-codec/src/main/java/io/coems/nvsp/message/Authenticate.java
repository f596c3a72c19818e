package io.coems.nvsp.message;

import io.coems.nvsp.SecurityMode;

/**
 * AUTHENTICATE: the client echoes the cookie, states the version, datagram size and protection
 * it settles on, repeats the version range it offered in HELLO, and proves it holds the
 * pre-shared key: {@code proof} is an HMAC-SHA256 over this whole message with the proof field
 * zeroed (see {@code io.coems.nvsp.crypto.Handshake}). The proof so authenticates the offered
 * range and the chosen version, and the cookie binds both to what the server saw in HELLO and
 * chose in COOKIE, so a man in the middle cannot downgrade the version.
 * Sent like HELLO: version-1 frame, session id 0, no protection.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------+-------------------------------+
 * |         type = 0x0002         |       blockLength = 100       |  0
 * +-------------------------------+-------------------------------+
 * |            version            |          maxDatagram          |  4
 * +---------------+---------------+-------------------------------+
 * | securityMode  |   reserved    |           reserved            |  8
 * +---------------+---------------+-------------------------------+
 * |                          clientId (64)                        | 12
 * +---------------------------------------------------------------+
 * |                     clientNonce (16 bytes)                    | 20
 * +---------------------------------------------------------------+
 * |                       cookie (32 bytes)                       | 36
 * +---------------------------------------------------------------+
 * |                        proof (32 bytes)                       | 68
 * +-------------------------------+-------------------------------+
 * |          minVersion           |          maxVersion           | 100
 * +-------------------------------+-------------------------------+
 * </pre>
 */
public final class Authenticate extends Message<Authenticate> {
    /** Size of the version-1 block. */
    public static final int BLOCK_LENGTH = 100;
    /** Size of the proof, an HMAC-SHA256. */
    public static final int PROOF_LENGTH = 32;

    private static final int VERSION_AT = BLOCK;
    private static final int MAX_DATAGRAM_AT = BLOCK + 2;
    private static final int SECURITY_MODE_AT = BLOCK + 4;
    private static final int CLIENT_ID_AT = BLOCK + 8;
    private static final int CLIENT_NONCE_AT = BLOCK + 16;
    private static final int COOKIE_AT = BLOCK + 32;
    private static final int PROOF_AT = BLOCK + 64;
    private static final int MIN_VERSION_AT = BLOCK + 96;
    private static final int MAX_VERSION_AT = BLOCK + 98;

    /** Creates an unwrapped flyweight. */
    public Authenticate() {
        super(Layout.AUTHENTICATE);
    }

    /**
     * Returns the protocol version the client settles on (the one COOKIE chose).
     *
     * @return the version
     */
    public int version() {
        return u16(VERSION_AT, "version");
    }

    /**
     * Sets the protocol version.
     *
     * @param version the version COOKIE chose
     * @return this flyweight
     */
    public Authenticate version(int version) {
        putU16(VERSION_AT, version, "version");
        return this;
    }

    /**
     * Returns the lowest version the client offered in HELLO.
     *
     * @return the version
     */
    public int minVersion() {
        return u16(MIN_VERSION_AT, "minVersion");
    }

    /**
     * Returns the highest version the client offered in HELLO.
     *
     * @return the version
     */
    public int maxVersion() {
        return u16(MAX_VERSION_AT, "maxVersion");
    }

    /**
     * Repeats the version range the client offered in HELLO.
     *
     * @param min the lowest version, as in HELLO
     * @param max the highest version, as in HELLO
     * @return this flyweight
     */
    public Authenticate versions(int min, int max) {
        putU16(MIN_VERSION_AT, min, "minVersion");
        putU16(MAX_VERSION_AT, max, "maxVersion");
        return this;
    }

    /**
     * Returns the largest datagram the client can send and receive.
     *
     * @return the size in bytes
     */
    public int maxDatagram() {
        return u16(MAX_DATAGRAM_AT, "maxDatagram");
    }

    /**
     * Sets the largest datagram the client can send and receive.
     *
     * @param maxDatagram the size in bytes
     * @return this flyweight
     */
    public Authenticate maxDatagram(int maxDatagram) {
        putU16(MAX_DATAGRAM_AT, maxDatagram, "maxDatagram");
        return this;
    }

    /**
     * Returns the protection the client asks for.
     *
     * @return the mode
     */
    public SecurityMode securityMode() {
        return securityModeAt(SECURITY_MODE_AT);
    }

    /**
     * Sets the protection the client asks for.
     *
     * @param mode the mode
     * @return this flyweight
     */
    public Authenticate securityMode(SecurityMode mode) {
        putU8(SECURITY_MODE_AT, mode.code(), "securityMode");
        return this;
    }

    /**
     * Returns the client id.
     *
     * @return the id under which the client's pre-shared key is registered
     */
    public long clientId() {
        return u64(CLIENT_ID_AT, "clientId");
    }

    /**
     * Sets the client id.
     *
     * @param clientId the id under which the client's pre-shared key is registered
     * @return this flyweight
     */
    public Authenticate clientId(long clientId) {
        putU64(CLIENT_ID_AT, clientId, "clientId");
        return this;
    }

    /**
     * Copies the client nonce (the one sent in HELLO).
     *
     * @param dst an array of {@link Hello#NONCE_LENGTH} bytes
     */
    public void clientNonce(byte[] dst) {
        getBytes(CLIENT_NONCE_AT, dst, "clientNonce");
    }

    /**
     * Sets the client nonce.
     *
     * @param nonce {@link Hello#NONCE_LENGTH} bytes, the ones sent in HELLO
     * @return this flyweight
     */
    public Authenticate putClientNonce(byte[] nonce) {
        putBytes(CLIENT_NONCE_AT, nonce, Hello.NONCE_LENGTH, "clientNonce");
        return this;
    }

    /**
     * Copies the echoed cookie.
     *
     * @param dst an array of {@link Cookie#COOKIE_LENGTH} bytes
     */
    public void cookie(byte[] dst) {
        getBytes(COOKIE_AT, dst, "cookie");
    }

    /**
     * Sets the echoed cookie.
     *
     * @param cookie the {@link Cookie#COOKIE_LENGTH} bytes received in COOKIE
     * @return this flyweight
     */
    public Authenticate putCookie(byte[] cookie) {
        putBytes(COOKIE_AT, cookie, Cookie.COOKIE_LENGTH, "cookie");
        return this;
    }

    /**
     * Copies the proof.
     *
     * @param dst an array of {@link #PROOF_LENGTH} bytes
     */
    public void proof(byte[] dst) {
        getBytes(PROOF_AT, dst, "proof");
    }

    /**
     * Sets the proof.
     *
     * @param proof {@link #PROOF_LENGTH} bytes
     * @return this flyweight
     */
    public Authenticate putProof(byte[] proof) {
        putBytes(PROOF_AT, proof, PROOF_LENGTH, "proof");
        return this;
    }

    /**
     * Returns the bytes the proof covers: this whole message with the proof zeroed.
     *
     * @return a new array
     */
    public byte[] transcript() {
        return transcript(PROOF_AT, PROOF_LENGTH);
    }

    @Override
    protected void describe(StringBuilder description) {
        description.append(" version=").append(version()).append(" offered=").append(minVersion())
                .append("..").append(maxVersion()).append(" maxDatagram=").append(maxDatagram())
                .append(" mode=").append(securityMode())
                .append(" client=").append(Long.toUnsignedString(clientId()))
                .append(" nonce=").append(Hex.of(this::clientNonce, Hello.NONCE_LENGTH))
                .append(" cookie=").append(Hex.of(this::cookie, Cookie.COOKIE_LENGTH))
                .append(" proof=").append(Hex.of(this::proof, PROOF_LENGTH));
    }
}

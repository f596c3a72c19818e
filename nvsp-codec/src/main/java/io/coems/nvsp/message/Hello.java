package io.coems.nvsp.message;

import io.coems.nvsp.SecurityMode;

/**
 * HELLO: the client opens a handshake. Always sent in a version-1 frame with session id 0 and
 * no protection; the version range inside it is what gets negotiated.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------+-------------------------------+
 * |         type = 0x0001         |       blockLength = 32        |  0
 * +-------------------------------+-------------------------------+
 * |          minVersion           |          maxVersion           |  4
 * +-------------------------------+---------------+---------------+
 * |          maxDatagram          | securityMode  |   reserved    |  8
 * +-------------------------------+---------------+---------------+
 * |                          clientId (64)                        | 12
 * +---------------------------------------------------------------+
 * |                     clientNonce (16 bytes)                    | 20
 * +---------------------------------------------------------------+
 * </pre>
 */
public final class Hello extends Message<Hello> {
    /** Size of the version-1 block. */
    public static final int BLOCK_LENGTH = 32;
    /** Size of a handshake nonce. */
    public static final int NONCE_LENGTH = 16;

    private static final int MIN_VERSION_AT = BLOCK;
    private static final int MAX_VERSION_AT = BLOCK + 2;
    private static final int MAX_DATAGRAM_AT = BLOCK + 4;
    private static final int SECURITY_MODE_AT = BLOCK + 6;
    private static final int CLIENT_ID_AT = BLOCK + 8;
    private static final int CLIENT_NONCE_AT = BLOCK + 16;

    /** Creates an unwrapped flyweight. */
    public Hello() {
        super(Layout.HELLO);
    }

    /**
     * Returns the lowest protocol version the client speaks.
     *
     * @return the version
     */
    public int minVersion() {
        return u16(MIN_VERSION_AT, "minVersion");
    }

    /**
     * Returns the highest protocol version the client speaks.
     *
     * @return the version
     */
    public int maxVersion() {
        return u16(MAX_VERSION_AT, "maxVersion");
    }

    /**
     * Sets the range of protocol versions the client speaks.
     *
     * @param min the lowest version
     * @param max the highest version
     * @return this flyweight
     */
    public Hello versions(int min, int max) {
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
    public Hello maxDatagram(int maxDatagram) {
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
    public Hello securityMode(SecurityMode mode) {
        putU8(SECURITY_MODE_AT, mode.code(), "securityMode");
        return this;
    }

    /**
     * Returns the id under which the client's pre-shared key is registered.
     *
     * @return the client id
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
    public Hello clientId(long clientId) {
        putU64(CLIENT_ID_AT, clientId, "clientId");
        return this;
    }

    /**
     * Copies the client nonce.
     *
     * @param dst an array of {@link #NONCE_LENGTH} bytes
     */
    public void clientNonce(byte[] dst) {
        getBytes(CLIENT_NONCE_AT, dst, "clientNonce");
    }

    /**
     * Sets the client nonce: fresh random bytes for each handshake.
     *
     * @param nonce {@link #NONCE_LENGTH} bytes
     * @return this flyweight
     */
    public Hello putClientNonce(byte[] nonce) {
        putBytes(CLIENT_NONCE_AT, nonce, NONCE_LENGTH, "clientNonce");
        return this;
    }

    @Override
    protected void describe(StringBuilder description) {
        description.append(" versions=").append(minVersion()).append("..").append(maxVersion())
                .append(" maxDatagram=").append(maxDatagram()).append(" mode=").append(securityMode())
                .append(" client=").append(Long.toUnsignedString(clientId()))
                .append(" nonce=").append(Hex.of(this::clientNonce, NONCE_LENGTH));
    }
}

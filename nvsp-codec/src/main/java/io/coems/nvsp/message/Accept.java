package io.coems.nvsp.message;

import io.coems.nvsp.EncodingException;
import io.coems.nvsp.MalformedMessageException;
import io.coems.nvsp.SecurityMode;

/**
 * ACCEPT: the server has verified AUTHENTICATE and created the session. It fixes the session
 * id, the datagram size (the smaller of both sides'), the protection mode, the keep-alive period
 * and the initial credits, adds its nonce, and proves it holds the pre-shared key: {@code proof}
 * is an HMAC-SHA256 over the AUTHENTICATE message and this one with its proof zeroed. Sent in a
 * version-1 frame with session id 0 and no protection; every later datagram is protected with
 * keys derived from both nonces.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------+-------------------------------+
 * |         type = 0x8002         |       blockLength = 72        |  0
 * +-------------------------------+-------------------------------+
 * |                            status                             |  4
 * +-------------------------------+-------------------------------+
 * |            version            |          maxDatagram          |  8
 * +---------------+---------------+-------------------------------+
 * | securityMode  |   reserved    |       keepAliveSeconds        | 12
 * +---------------+---------------+-------------------------------+
 * |                            credits                            | 16
 * +---------------------------------------------------------------+
 * |                         sessionId (64)                        | 20
 * +---------------------------------------------------------------+
 * |                     serverNonce (16 bytes)                    | 28
 * +---------------------------------------------------------------+
 * |                        proof (32 bytes)                       | 44
 * +---------------------------------------------------------------+
 * </pre>
 */
public final class Accept extends Response<Accept> {
    /** Size of the version-1 block. */
    public static final int BLOCK_LENGTH = 72;

    private static final int VERSION_AT = BLOCK + 4;
    private static final int MAX_DATAGRAM_AT = BLOCK + 6;
    private static final int SECURITY_MODE_AT = BLOCK + 8;
    private static final int KEEP_ALIVE_AT = BLOCK + 10;
    private static final int CREDITS_AT = BLOCK + 12;
    private static final int SESSION_ID_AT = BLOCK + 16;
    private static final int SERVER_NONCE_AT = BLOCK + 24;
    private static final int PROOF_AT = BLOCK + 40;

    /** Creates an unwrapped flyweight. */
    public Accept() {
        super(Layout.ACCEPT);
    }

    @Override
    protected void validate() {
        if (sessionId() == 0) {
            throw new MalformedMessageException("sessionId", offset() + SESSION_ID_AT,
                    "session id 0 is reserved for the handshake");
        }
    }

    /**
     * Returns the protocol version of the session.
     *
     * @return the version
     */
    public int version() {
        return u16(VERSION_AT, "version");
    }

    /**
     * Sets the protocol version of the session.
     *
     * @param version the version
     * @return this flyweight
     */
    public Accept version(int version) {
        putU16(VERSION_AT, version, "version");
        return this;
    }

    /**
     * Returns the negotiated maximum datagram size.
     *
     * @return the size in bytes
     */
    public int maxDatagram() {
        return u16(MAX_DATAGRAM_AT, "maxDatagram");
    }

    /**
     * Sets the negotiated maximum datagram size.
     *
     * @param maxDatagram the smaller of the client's and the server's maximum
     * @return this flyweight
     */
    public Accept maxDatagram(int maxDatagram) {
        putU16(MAX_DATAGRAM_AT, maxDatagram, "maxDatagram");
        return this;
    }

    /**
     * Returns the protection of the session.
     *
     * @return the mode
     */
    public SecurityMode securityMode() {
        return securityModeAt(SECURITY_MODE_AT);
    }

    /**
     * Sets the protection of the session.
     *
     * @param mode the mode
     * @return this flyweight
     */
    public Accept securityMode(SecurityMode mode) {
        putU8(SECURITY_MODE_AT, mode.code(), "securityMode");
        return this;
    }

    /**
     * Returns how often the client must send something to keep the session.
     *
     * @return the period in seconds
     */
    public int keepAliveSeconds() {
        return u16(KEEP_ALIVE_AT, "keepAliveSeconds");
    }

    /**
     * Sets the keep-alive period.
     *
     * @param seconds the period in seconds
     * @return this flyweight
     */
    public Accept keepAliveSeconds(int seconds) {
        putU16(KEEP_ALIVE_AT, seconds, "keepAliveSeconds");
        return this;
    }

    /**
     * Returns the initial credits: how many requests the client may have in flight.
     *
     * @return the credits, unsigned 32 bits
     */
    public long credits() {
        return u32(CREDITS_AT, "credits");
    }

    /**
     * Sets the initial credits.
     *
     * @param credits unsigned 32 bits
     * @return this flyweight
     */
    public Accept credits(long credits) {
        putU32(CREDITS_AT, credits, "credits");
        return this;
    }

    /**
     * Returns the session id every later frame carries.
     *
     * @return the session id, never 0
     */
    public long sessionId() {
        return u64(SESSION_ID_AT, "sessionId");
    }

    /**
     * Sets the session id.
     *
     * @param sessionId a random non-zero id
     * @return this flyweight
     * @throws EncodingException if the id is 0, the session id of the handshake
     */
    public Accept sessionId(long sessionId) {
        if (sessionId == 0) {
            throw new EncodingException("sessionId", "session id 0 is reserved for the handshake");
        }
        putU64(SESSION_ID_AT, sessionId, "sessionId");
        return this;
    }

    /**
     * Copies the server nonce.
     *
     * @param dst an array of {@link Hello#NONCE_LENGTH} bytes
     */
    public void serverNonce(byte[] dst) {
        getBytes(SERVER_NONCE_AT, dst, "serverNonce");
    }

    /**
     * Sets the server nonce: fresh random bytes for each session.
     *
     * @param nonce {@link Hello#NONCE_LENGTH} bytes
     * @return this flyweight
     */
    public Accept putServerNonce(byte[] nonce) {
        putBytes(SERVER_NONCE_AT, nonce, Hello.NONCE_LENGTH, "serverNonce");
        return this;
    }

    /**
     * Copies the proof.
     *
     * @param dst an array of {@link Authenticate#PROOF_LENGTH} bytes
     */
    public void proof(byte[] dst) {
        getBytes(PROOF_AT, dst, "proof");
    }

    /**
     * Sets the proof.
     *
     * @param proof {@link Authenticate#PROOF_LENGTH} bytes
     * @return this flyweight
     */
    public Accept putProof(byte[] proof) {
        putBytes(PROOF_AT, proof, Authenticate.PROOF_LENGTH, "proof");
        return this;
    }

    /**
     * Returns the bytes of this message the proof covers: all of it with the proof zeroed.
     *
     * @return a new array
     */
    public byte[] transcript() {
        return transcript(PROOF_AT, Authenticate.PROOF_LENGTH);
    }

    @Override
    protected void describe(StringBuilder description) {
        super.describe(description);
        description.append(" version=").append(version()).append(" maxDatagram=").append(maxDatagram())
                .append(" mode=").append(securityMode()).append(" keepAlive=").append(keepAliveSeconds())
                .append(" credits=").append(credits())
                .append(" session=").append(Long.toUnsignedString(sessionId()))
                .append(" nonce=").append(Hex.of(this::serverNonce, Hello.NONCE_LENGTH))
                .append(" proof=").append(Hex.of(this::proof, Authenticate.PROOF_LENGTH));
    }
}

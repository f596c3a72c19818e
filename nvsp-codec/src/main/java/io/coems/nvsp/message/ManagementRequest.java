package io.coems.nvsp.message;

import io.coems.nvsp.EncodingException;
import io.coems.nvsp.MalformedMessageException;
import java.nio.charset.StandardCharsets;

/**
 * Every management request (type {@code 0x02xx}). All share one block; each type uses the
 * fields it needs and leaves the others zero. {@code fencingToken} is the token of the
 * management lease (0 in ACQUIRE_LEASE); a server rejects a stale one with
 * {@code STALE_FENCING_TOKEN}. After the block come {@code nameLength} bytes of UTF-8 name and
 * {@code secretLength} bytes of secret.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------+-------------------------------+
 * |      type = 0x0201..0x0210    |       blockLength = 48        |  0
 * +-------------------------------+-------------------------------+
 * |                       fencingToken (64)                       |  4
 * +---------------------------------------------------------------+
 * |                         volumeId (64)                         | 12
 * +---------------------------------------------------------------+
 * |                        snapshotId (64)                        | 20
 * +---------------------------------------------------------------+
 * |                         clientId (64)                         | 28
 * +---------------------------------------------------------------+
 * |                         argument (64)                         | 36
 * +---------------------------------------------------------------+
 * |                             flags                             | 44
 * +-------------------------------+-------------------------------+
 * |          nameLength           |         secretLength          | 48
 * +-------------------------------+-------------------------------+
 * |     name (nameLength bytes) | secret (secretLength bytes)    | 52
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <p>{@code argument} is the size in bytes (CREATE_VOLUME, RESIZE_VOLUME), the paging cursor
 * (LIST_*: the last id of the previous page, 0 for the first) or the lease duration in
 * milliseconds (ACQUIRE_LEASE, RENEW_LEASE). The secret of REGISTER_CLIENT is the client's
 * {@value #PSK_LENGTH}-byte pre-shared key; a REGISTER_CLIENT with another secret length is
 * malformed.
 */
public final class ManagementRequest extends Message<ManagementRequest> {
    /** Size of the version-1 block. */
    public static final int BLOCK_LENGTH = 48;
    /** Size of the pre-shared key that REGISTER_CLIENT carries as its secret. */
    public static final int PSK_LENGTH = 32;

    private static final int FENCING_TOKEN_AT = BLOCK;
    private static final int VOLUME_ID_AT = BLOCK + 8;
    private static final int SNAPSHOT_ID_AT = BLOCK + 16;
    private static final int CLIENT_ID_AT = BLOCK + 24;
    private static final int ARGUMENT_AT = BLOCK + 32;
    private static final int FLAGS_AT = BLOCK + 40;
    private static final int NAME_LENGTH_AT = BLOCK + 44;
    private static final int SECRET_LENGTH_AT = BLOCK + 46;

    /** Creates an unwrapped flyweight. */
    public ManagementRequest() {
        super(Layout.MANAGEMENT);
    }

    @Override
    protected long variableLength() {
        return nameLength() + secretLength();
    }

    @Override
    protected void validate() {
        if (type() == MessageType.REGISTER_CLIENT && secretLength() != PSK_LENGTH) {
            throw new MalformedMessageException("secretLength", offset() + SECRET_LENGTH_AT,
                    "REGISTER_CLIENT needs a " + PSK_LENGTH + "-byte pre-shared key, not " + secretLength());
        }
    }

    /**
     * Returns the fencing token of the management lease.
     *
     * @return the token, 0 in ACQUIRE_LEASE
     */
    public long fencingToken() {
        return u64(FENCING_TOKEN_AT, "fencingToken");
    }

    /**
     * Sets the fencing token.
     *
     * @param token the token ACQUIRE_LEASE returned
     * @return this flyweight
     */
    public ManagementRequest fencingToken(long token) {
        putU64(FENCING_TOKEN_AT, token, "fencingToken");
        return this;
    }

    /**
     * Returns the volume the request addresses.
     *
     * @return the volume id, 0 when unused
     */
    public long volumeId() {
        return u64(VOLUME_ID_AT, "volumeId");
    }

    /**
     * Sets the volume the request addresses.
     *
     * @param volumeId the volume id
     * @return this flyweight
     */
    public ManagementRequest volumeId(long volumeId) {
        putU64(VOLUME_ID_AT, volumeId, "volumeId");
        return this;
    }

    /**
     * Returns the snapshot the request addresses.
     *
     * @return the snapshot id, 0 when unused
     */
    public long snapshotId() {
        return u64(SNAPSHOT_ID_AT, "snapshotId");
    }

    /**
     * Sets the snapshot the request addresses.
     *
     * @param snapshotId the snapshot id
     * @return this flyweight
     */
    public ManagementRequest snapshotId(long snapshotId) {
        putU64(SNAPSHOT_ID_AT, snapshotId, "snapshotId");
        return this;
    }

    /**
     * Returns the client the request addresses.
     *
     * @return the client id, 0 when unused
     */
    public long clientId() {
        return u64(CLIENT_ID_AT, "clientId");
    }

    /**
     * Sets the client the request addresses.
     *
     * @param clientId the client id
     * @return this flyweight
     */
    public ManagementRequest clientId(long clientId) {
        putU64(CLIENT_ID_AT, clientId, "clientId");
        return this;
    }

    /**
     * Returns the size, cursor or duration, depending on the type.
     *
     * @return the argument, unsigned
     */
    public long argument() {
        return u64(ARGUMENT_AT, "argument");
    }

    /**
     * Sets the size, cursor or duration.
     *
     * @param argument the argument, unsigned
     * @return this flyweight
     */
    public ManagementRequest argument(long argument) {
        putU64(ARGUMENT_AT, argument, "argument");
        return this;
    }

    /**
     * Returns the flags; none are defined in version 1.
     *
     * @return the flags
     */
    public long flags() {
        return u32(FLAGS_AT, "flags");
    }

    /**
     * Returns the length of the name.
     *
     * @return the length in bytes
     */
    public int nameLength() {
        return u16(NAME_LENGTH_AT, "nameLength");
    }

    /**
     * Returns the length of the secret.
     *
     * @return the length in bytes
     */
    public int secretLength() {
        return u16(SECRET_LENGTH_AT, "secretLength");
    }

    /**
     * Decodes the name (volume or client name); allocates.
     *
     * @return the name, empty when absent
     */
    public String name() {
        byte[] utf8 = new byte[nameLength()];
        getBytes(variableOffset(), utf8, "name");
        return new String(utf8, StandardCharsets.UTF_8);
    }

    /**
     * Writes the name, moving a secret already written so it still follows the name; may be
     * called before or after {@link #putSecret}. Allocates.
     *
     * @param name the name
     * @return this flyweight
     */
    public ManagementRequest name(String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        byte[] secret = secret();
        checkWrite(variableOffset(), (long) utf8.length + secret.length, "name");
        putBytes(variableOffset(), utf8, -1, "name");
        putU16(NAME_LENGTH_AT, utf8.length, "nameLength");
        putBytes(variableOffset() + utf8.length, secret, -1, "secret");
        return this;
    }

    /**
     * Copies the secret (the pre-shared key in REGISTER_CLIENT).
     *
     * @return a new array, empty when absent
     */
    public byte[] secret() {
        byte[] secret = new byte[secretLength()];
        getBytes(variableOffset() + nameLength(), secret, "secret");
        return secret;
    }

    /**
     * Writes the secret after the name.
     *
     * @param secret the bytes; in REGISTER_CLIENT the {@value #PSK_LENGTH}-byte pre-shared key
     * @return this flyweight
     * @throws EncodingException if a REGISTER_CLIENT secret is not {@value #PSK_LENGTH} bytes
     */
    public ManagementRequest putSecret(byte[] secret) {
        if (type() == MessageType.REGISTER_CLIENT && secret.length != PSK_LENGTH) {
            throw new EncodingException("secret", "REGISTER_CLIENT needs a " + PSK_LENGTH
                    + "-byte pre-shared key, not " + secret.length + " bytes");
        }
        putBytes(variableOffset() + nameLength(), secret, -1, "secret");
        putU16(SECRET_LENGTH_AT, secret.length, "secretLength");
        return this;
    }

    @Override
    protected void describe(StringBuilder description) {
        description.append(" token=").append(Long.toUnsignedString(fencingToken()))
                .append(" volume=").append(Long.toUnsignedString(volumeId()))
                .append(" snapshot=").append(Long.toUnsignedString(snapshotId()))
                .append(" client=").append(Long.toUnsignedString(clientId()))
                .append(" argument=").append(Long.toUnsignedString(argument()))
                .append(" flags=").append(flags()).append(" name=\"").append(name())
                .append("\" secretLength=").append(secretLength());
    }
}

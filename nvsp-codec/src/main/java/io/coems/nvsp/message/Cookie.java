package io.coems.nvsp.message;

/**
 * COOKIE: the server answers HELLO with the version it chose and a cookie the client must echo
 * in AUTHENTICATE. The server keeps no state for a HELLO: it derives the cookie from a secret of
 * its own, the client's address, client id and nonce, HELLO's version range and the version it
 * chose, so only a client that receives datagrams at its claimed address can go on, and with
 * the range and version the server saw and chose. On no common version the status is
 * {@code UNSUPPORTED_VERSION} and the cookie is zeros.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------+-------------------------------+
 * |         type = 0x8001         |       blockLength = 40        |  0
 * +-------------------------------+-------------------------------+
 * |                            status                             |  4
 * +-------------------------------+-------------------------------+
 * |            version            |           reserved            |  8
 * +-------------------------------+-------------------------------+
 * |                       cookie (32 bytes)                       | 12
 * +---------------------------------------------------------------+
 * </pre>
 */
public final class Cookie extends Response<Cookie> {
    /** Size of the version-1 block. */
    public static final int BLOCK_LENGTH = 40;
    /** Size of the cookie. */
    public static final int COOKIE_LENGTH = 32;

    private static final int VERSION_AT = BLOCK + 4;
    private static final int COOKIE_AT = BLOCK + 8;

    /** Creates an unwrapped flyweight. */
    public Cookie() {
        super(Layout.COOKIE);
    }

    /**
     * Returns the version the server chose.
     *
     * @return the version
     */
    public int version() {
        return u16(VERSION_AT, "version");
    }

    /**
     * Sets the version the server chose.
     *
     * @param version the version
     * @return this flyweight
     */
    public Cookie version(int version) {
        putU16(VERSION_AT, version, "version");
        return this;
    }

    /**
     * Copies the cookie.
     *
     * @param dst an array of {@link #COOKIE_LENGTH} bytes
     */
    public void cookie(byte[] dst) {
        getBytes(COOKIE_AT, dst, "cookie");
    }

    /**
     * Sets the cookie.
     *
     * @param cookie {@link #COOKIE_LENGTH} bytes
     * @return this flyweight
     */
    public Cookie putCookie(byte[] cookie) {
        putBytes(COOKIE_AT, cookie, COOKIE_LENGTH, "cookie");
        return this;
    }

    @Override
    protected void describe(StringBuilder description) {
        super.describe(description);
        description.append(" version=").append(version())
                .append(" cookie=").append(Hex.of(this::cookie, COOKIE_LENGTH));
    }
}

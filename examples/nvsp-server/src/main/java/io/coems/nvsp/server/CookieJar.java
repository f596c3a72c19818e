package io.coems.nvsp.server;

import io.coems.nvsp.AuthenticationException;
import io.coems.nvsp.crypto.Handshake;
import io.coems.nvsp.message.Authenticate;
import io.coems.nvsp.message.Hello;
import java.net.InetSocketAddress;
import java.util.function.LongSupplier;

/**
 * The stateless cookies of the handshake (spec 6.1): a cookie is an HMAC under a secret drawn at
 * each server start over the client's address, the time window (epoch seconds / 60), HELLO's
 * client id, nonce and version range and the chosen version. AUTHENTICATE is accepted with the
 * cookie of the current or the previous window, so a cookie lives one to two minutes and a
 * restarted server rejects the cookies of its predecessor. Thread-safe.
 */
final class CookieJar {
    /** Length of a window in seconds. */
    static final long WINDOW_SECONDS = 60;

    private final byte[] secret;
    private final LongSupplier epochSeconds;

    /**
     * Creates a jar.
     *
     * @param secret the server's secret for this run
     * @param epochSeconds the clock, in seconds since the epoch
     */
    CookieJar(byte[] secret, LongSupplier epochSeconds) {
        this.secret = secret.clone();
        this.epochSeconds = epochSeconds;
    }

    /** The cookie that answers {@code hello} from {@code client}, for the chosen version. */
    byte[] cookie(InetSocketAddress client, Hello hello, int version) {
        return Handshake.cookie(secret, addressBytes(client), window(), hello, version);
    }

    /**
     * Checks the cookie AUTHENTICATE echoes.
     *
     * @throws AuthenticationException if it is not this server's for that client, nonce,
     *     versions and the current or previous window
     */
    void verify(InetSocketAddress client, Authenticate authenticate) {
        Handshake.verifyCookie(secret, addressBytes(client), window(), authenticate);
    }

    private long window() {
        return Math.floorDiv(epochSeconds.getAsLong(), WINDOW_SECONDS);
    }

    /** The IP address bytes followed by the port, two bytes little-endian. */
    static byte[] addressBytes(InetSocketAddress address) {
        byte[] ip = address.getAddress().getAddress();
        byte[] bytes = java.util.Arrays.copyOf(ip, ip.length + 2);
        bytes[ip.length] = (byte) address.getPort();
        bytes[ip.length + 1] = (byte) (address.getPort() >>> 8);
        return bytes;
    }
}

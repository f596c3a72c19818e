package io.coems.nvsp.server;

import java.net.InetAddress;

/**
 * Rate limits for answering HELLO (spec 6.1 keeps the server stateless until AUTHENTICATE, so
 * a COOKIE goes to whatever source a HELLO names): a token bucket per source address, hashed
 * into a fixed table (addresses that collide share a bucket), and one for all sources, so
 * neither one source nor many spoofed ones make the receive thread compute cookies without
 * limit or reflect them at someone. Times are {@link System#nanoTime()} values from the caller.
 * Not thread-safe: the receive thread owns it.
 */
final class HelloLimiter {
    /** HELLOs answered a second per source address: a boot storm of many clients on one host fits. */
    static final long PER_SOURCE = 1000;
    /** HELLOs answered a second in all. */
    static final long IN_ALL = 20_000;
    private static final int TABLE = 256;

    private final TokenBucket[] sources = new TokenBucket[TABLE];
    private final TokenBucket all;

    /**
     * Creates full buckets.
     *
     * @param nowNanos the current time
     */
    HelloLimiter(long nowNanos) {
        for (int i = 0; i < TABLE; i++) {
            sources[i] = new TokenBucket(PER_SOURCE, nowNanos);
        }
        all = new TokenBucket(IN_ALL, nowNanos);
    }

    /** Whether a HELLO from {@code source} may be answered now; if so, it is counted. */
    boolean allow(InetAddress source, long nowNanos) {
        int hash = source.hashCode() * 0x9E3779B9;
        TokenBucket bucket = sources[(hash ^ hash >>> 16) & (TABLE - 1)];
        if (!bucket.available(nowNanos) || !all.available(nowNanos)) {
            return false;
        }
        bucket.take(1);
        all.take(1);
        return true;
    }
}

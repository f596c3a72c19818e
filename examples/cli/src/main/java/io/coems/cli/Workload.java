package io.coems.cli;

/**
 * The knobs of one {@code coems bench} run, with the meaning {@code qemu-img bench} gives them:
 * {@code count} requests of {@code size} bytes, the first at {@code offset}, each next one
 * {@code step} bytes further (wrapping around the volume, see {@link RequestSchedule}), reads or
 * writes of the byte {@code pattern}, {@code depth} of them in flight, and a flush whenever the
 * requests not yet issued are a multiple of {@code flushInterval} (0: never), after the requests
 * in flight complete unless {@code drain} is off.
 *
 * @param count         requests, 1 to 2^31-1
 * @param size          bytes per request, 1 to {@link #MAX_SIZE}
 * @param step          bytes from one request's offset to the next, 1 to 2^31-1
 * @param offset        the first request's offset, from 0
 * @param write         writes rather than reads
 * @param depth         requests in flight, 1 to {@link #MAX_DEPTH} (each issued by its own virtual thread)
 * @param flushInterval 0, or from {@code depth}: requests between flushes (writes only)
 * @param drain         whether a flush waits for the requests in flight first
 * @param pattern       the byte written, 0 to 255
 */
record Workload(long count, long size, long step, long offset, boolean write, int depth, long flushInterval,
        boolean drain, int pattern) {
    /** qemu-img bench's default request count. */
    static final long DEFAULT_COUNT = 75_000;
    /** qemu-img bench's default request size. */
    static final long DEFAULT_SIZE = 4096;
    /** qemu-img bench's default queue depth. */
    static final int DEFAULT_DEPTH = 64;
    /** Largest request: a buffer per request in flight is allocated off-heap. */
    static final long MAX_SIZE = 64L << 20;
    /** Most requests in flight. */
    static final int MAX_DEPTH = 1024;
    private static final long INT_MAX = Integer.MAX_VALUE;

    /**
     * @throws IllegalArgumentException naming the knob and the value when one is out of range
     */
    Workload {
        within("request count (-c)", count, 1, INT_MAX);
        within("request size (-s)", size, 1, MAX_SIZE);
        within("step (-S)", step, 1, INT_MAX);
        within("offset (-o)", offset, 0, Long.MAX_VALUE);
        within("queue depth (-d)", depth, 1, MAX_DEPTH);
        within("flush interval", flushInterval, 0, INT_MAX);
        within("pattern", pattern, 0, 255);
        if (flushInterval != 0 && !write) {
            throw new IllegalArgumentException("a flush interval needs a write run (-w)");
        }
        if (flushInterval != 0 && flushInterval < depth) {
            throw new IllegalArgumentException("flush interval " + flushInterval + " is smaller than the queue depth "
                    + depth);
        }
    }

    /**
     * Checks that the first request lies inside a volume of {@code volumeSize} bytes.
     *
     * @throws IllegalArgumentException if it does not
     */
    void checkFits(long volumeSize) {
        if (size > volumeSize || offset > volumeSize - size) {
            throw new IllegalArgumentException("a request of " + size + " bytes at offset " + offset
                    + " does not fit in the volume of " + volumeSize + " bytes");
        }
    }

    /** Bytes all requests move. */
    long bytes() {
        return count * size;
    }

    private static void within(String knob, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(knob + " " + value + " is not from " + min + " to " + max);
        }
    }
}

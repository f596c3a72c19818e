package io.coems.nvsp.client;

import java.util.ArrayDeque;
import java.util.function.Function;

/**
 * Runs requests over a {@link Connection}: one at a time ({@link #exchange}), or a transfer split
 * into requests that are pipelined within the credits and awaited in order ({@link #transfer}).
 *
 * <p>Each request may take the request timeout, counted from when it starts waiting for a
 * credit. A transfer holding requests in flight never blocks for another credit: it first
 * finishes its oldest request, so threads sharing the credits cannot deadlock. When a request
 * fails, the ones after it are awaited (each until its own deadline) and their outcome is
 * ignored, then the first failure is thrown: no part of a failed transfer still runs on the
 * server when the caller could retry it, yet the range it covered is undefined, as after a
 * failed write to a disk.
 */
final class Pipeline {
    /** Encodes the request for one part of a transfer into a reserved call. */
    @FunctionalInterface
    interface Encoder {
        /**
         * Encodes a request.
         *
         * @param call the reserved call
         * @param position the part's offset within the transfer
         * @param length the part's length
         */
        void encode(Call call, long position, int length);
    }

    /** Uses the response to one part of a transfer. */
    @FunctionalInterface
    interface Decoder {
        /**
         * Uses a response whose status was OK.
         *
         * @param call the answered call
         * @param position the part's offset within the transfer
         * @param length the part's length
         */
        void decode(Call call, long position, int length);
    }

    private final Connection connection;

    /**
     * Creates the request runner of a connection.
     *
     * @param connection the connection
     */
    Pipeline(Connection connection) {
        this.connection = connection;
    }

    /**
     * Sends one request and decodes its response.
     *
     * @param encoder encodes the request (position 0, length 0)
     * @param decoder reads the result out of the answered call
     * @param <T> the result type
     * @return the result
     */
    <T> T exchange(Encoder encoder, Function<Call, T> decoder) {
        connection.checkOpen();
        long deadline = System.nanoTime() + connection.requestTimeoutNanos();
        Call call = connection.acquire(deadline);
        try {
            encoder.encode(call, 0, 0);
            connection.issue(call, deadline);
            connection.await(call, deadline);
            return decoder.apply(call);
        } finally {
            connection.release(call);
        }
    }

    /**
     * Transfers a range in parts of at most {@code partLength} bytes, several in flight at once.
     *
     * @param total the length of the range, positive
     * @param partLength the most one request covers
     * @param encoder encodes the request of a part
     * @param decoder uses the response of a part
     */
    void transfer(long total, int partLength, Encoder encoder, Decoder decoder) {
        connection.checkOpen();
        ArrayDeque<Call> window = new ArrayDeque<>();
        try {
            for (long position = 0; position < total; ) {
                long deadline = System.nanoTime() + connection.requestTimeoutNanos();
                Call call = acquire(window, deadline, decoder);
                window.addLast(call);
                int length = (int) Math.min(partLength, total - position);
                call.chunkPosition = position;
                call.chunkLength = length;
                call.chunkDeadline = deadline;
                encoder.encode(call, position, length);
                connection.issue(call, deadline);
                position += length;
            }
            while (!window.isEmpty()) {
                finish(window.pollFirst(), decoder);
            }
        } finally {
            for (Call rest : window) {
                connection.settle(rest);
                connection.release(rest);
            }
        }
    }

    private Call acquire(ArrayDeque<Call> window, long deadline, Decoder decoder) {
        while (true) {
            Call call = connection.tryAcquire();
            if (call != null) {
                return call;
            }
            if (window.isEmpty()) {
                return connection.acquire(deadline);
            }
            finish(window.pollFirst(), decoder);
        }
    }

    private void finish(Call call, Decoder decoder) {
        try {
            connection.await(call, call.chunkDeadline);
            decoder.decode(call, call.chunkPosition, call.chunkLength);
        } finally {
            connection.release(call);
        }
    }
}

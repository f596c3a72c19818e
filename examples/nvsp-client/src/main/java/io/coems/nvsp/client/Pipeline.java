package io.coems.nvsp.client;

import java.lang.foreign.MemorySegment;
import java.util.function.Function;

/**
 * Runs requests over a {@link Connection}: one at a time ({@link #exchange}), or a range split
 * into parts that are pipelined within the credits ({@link #transfer}, carried out by a
 * {@link Transfer}).
 *
 * <p>Each request may take the request timeout, counted from when it starts waiting for a
 * credit. A failed request throws the typed exception of its status.
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
     * Transfers a range in parts of at most {@code partLength} bytes, several in flight at once
     * (see {@link Transfer}).
     *
     * @param total the length of the range, positive
     * @param partLength the most one request covers
     * @param encoder encodes the request of a part
     * @param decoder uses the response of a part
     * @param anyThread whether the encoder and decoder may run on the receive thread
     */
    void transfer(long total, int partLength, Encoder encoder, Decoder decoder, boolean anyThread) {
        new Transfer(connection, total, partLength, encoder, decoder, anyThread).run();
    }

    /**
     * Tells whether the receive thread may touch a caller's memory, so that a transfer may run
     * its encoder or decoder there.
     *
     * @param segment the memory
     * @return false for a segment confined to another thread
     */
    boolean receiverMayAccess(MemorySegment segment) {
        return connection.receiverMayAccess(segment);
    }
}

package io.coems.nvsp.transport;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * What both ports share on the receiving side: the check of a receive buffer and the
 * description of the last batch received. Touched by the receiving thread only.
 */
abstract sealed class ReceivingPort implements DatagramPort permits ChannelPort, GsoPort {
    private InetSocketAddress sender;
    private int segmentSize;

    @Override
    public final InetSocketAddress sender() {
        return sender;
    }

    @Override
    public final int segmentSize() {
        return segmentSize;
    }

    /** Describes the batch just received. */
    final void received(InetSocketAddress from, int datagramSize) {
        this.sender = from;
        this.segmentSize = datagramSize;
    }

    /**
     * Checks that a receive buffer has room for any batch.
     *
     * @throws IllegalArgumentException naming the room it has
     */
    static void checkRoom(ByteBuffer into) {
        if (into.remaining() < RECEIVE_CAPACITY) {
            throw new IllegalArgumentException(
                    "a receive buffer needs " + RECEIVE_CAPACITY + " bytes, not " + into.remaining());
        }
    }
}

package io.coems.nvsp.transport;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * Datagrams for one peer gathered back to back in a heap buffer and sent as one batch through
 * a {@link DatagramPort}. The caller {@linkplain #reserve reserves} room, writes a datagram at the
 * offset it gets (in place, for example sealing it there) and {@linkplain #add adds} it; the batch
 * goes out when the next datagram would not fit, goes to another peer or has another size, when
 * a shorter datagram ends it, or on {@link #flush}. Allocation-free. Not thread-safe: one per
 * sending thread.
 *
 * <pre>
 *  reserve -&gt; 0        reserve -&gt; S        reserve -&gt; 2S       add(n &lt; S): flush
 *  +------ S -------+------ S -------+---- n ----+
 *  | datagram 0     | datagram 1     | last      |  one send(batch, S, peer)
 *  +----------------+----------------+-----------+
 * </pre>
 */
public final class DatagramBatch {
    private static final long RETRY_PAUSE_NANOS = 20_000;

    private final DatagramPort port;
    private final long maxWaitNanos;
    private final ByteBuffer buffer;
    private final MemorySegment segment;
    private int length;
    private int count;
    private int segmentSize;
    private InetSocketAddress peer;
    /** A flush that {@link #reserve} made left datagrams unsent; the next flush reports it. */
    private boolean unsentSinceReport;

    /**
     * Creates an empty batch.
     *
     * @param port where batches go
     * @param capacity the most bytes a batch holds, 1 to {@link DatagramPort#MAX_BATCH}: the
     *     largest datagram where the port does not batch
     * @param maxWaitNanos how long a flush waits at most for room in a full socket buffer; 0 to
     *     try once
     * @throws IllegalArgumentException if the capacity is out of range
     */
    public DatagramBatch(DatagramPort port, int capacity, long maxWaitNanos) {
        if (capacity < 1 || capacity > DatagramPort.MAX_BATCH) {
            throw new IllegalArgumentException("a batch capacity must be 1 to " + DatagramPort.MAX_BATCH + " bytes, not "
                    + capacity);
        }
        this.port = Objects.requireNonNull(port, "port");
        this.maxWaitNanos = Math.max(0, maxWaitNanos);
        this.buffer = ByteBuffer.allocate(capacity);
        this.segment = MemorySegment.ofBuffer(buffer);
    }

    /**
     * Returns the batch memory, a heap segment of the batch's capacity.
     *
     * @return the segment datagrams are written into
     */
    public MemorySegment segment() {
        return segment;
    }

    /**
     * Makes room for a datagram of at most {@code segmentSize} bytes, sending the batch first if
     * it is full or holds datagrams of another size or for another peer.
     *
     * @param segmentSize the size of the batch's datagrams, 1 to the capacity
     * @param to the peer, or null on a connected port
     * @return the offset in {@link #segment()} to write the datagram at; datagrams that sending
     *     the batch before left unsent (full socket buffer) are reported by the next
     *     {@link #flush} or {@link #add} that sends
     * @throws IllegalArgumentException if the size is out of range
     * @throws IOException if sending the batch before failed; the batch is empty then
     */
    public int reserve(int segmentSize, InetSocketAddress to) throws IOException {
        if (segmentSize < 1 || segmentSize > buffer.capacity()) {
            throw new IllegalArgumentException("a datagram size must be 1 to " + buffer.capacity() + ", not "
                    + segmentSize);
        }
        if (count > 0 && (count == DatagramPort.MAX_SEGMENTS || length + segmentSize > buffer.capacity()
                || segmentSize != this.segmentSize || !Objects.equals(to, peer))) {
            if (!flush()) {
                unsentSinceReport = true;
            }
        }
        if (count == 0) {
            this.segmentSize = segmentSize;
            this.peer = to;
        }
        return length;
    }

    /**
     * Adds the datagram written at the offset {@link #reserve} returned. One shorter than the
     * batch's size ends the batch, which is sent at once.
     *
     * @param datagramLength the datagram's length, at most the reserved size
     * @return false if the batch was sent and the socket buffer stayed full: the rest is lost
     * @throws IllegalArgumentException if the length is not 1 to the reserved size
     * @throws IOException if sending failed
     */
    public boolean add(int datagramLength) throws IOException {
        if (datagramLength < 1 || datagramLength > segmentSize) {
            throw new IllegalArgumentException("a datagram of " + datagramLength + " bytes in a batch of "
                    + segmentSize + "-byte datagrams");
        }
        length += datagramLength;
        count++;
        return datagramLength == segmentSize || flush();
    }

    /**
     * Sends the datagrams gathered, waiting out a full socket buffer for up to the configured
     * time. The batch is empty afterwards whatever happened.
     *
     * @return false if the socket buffer stayed full and datagrams were left unsent, by this
     *     flush or by one {@link #reserve} made since the last report
     * @throws IOException if sending failed
     */
    public boolean flush() throws IOException {
        if (count == 0) {
            return report(true);
        }
        buffer.clear().limit(length);
        long giveUpAt = System.nanoTime() + maxWaitNanos;
        try {
            while (true) {
                port.send(buffer, segmentSize, peer);
                if (!buffer.hasRemaining()) {
                    return report(true);
                }
                if (System.nanoTime() - giveUpAt >= 0) {
                    return report(false);
                }
                LockSupport.parkNanos(RETRY_PAUSE_NANOS);
            }
        } finally {
            length = 0;
            count = 0;
        }
    }

    /**
     * Drops the datagrams gathered without sending them, so that the batch is empty: for a
     * caller that failed between {@link #reserve} and {@link #flush}.
     */
    public void discard() {
        length = 0;
        count = 0;
    }

    private boolean report(boolean sent) {
        boolean allSent = sent && !unsentSinceReport;
        unsentSinceReport = false;
        return allSent;
    }
}

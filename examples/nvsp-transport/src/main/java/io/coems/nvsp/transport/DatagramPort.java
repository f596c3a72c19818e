package io.coems.nvsp.transport;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A non-blocking UDP socket that moves <em>batches</em>: consecutive datagrams of one size (the
 * last may be shorter) to or from one peer. On Linux, when this module has native access, a
 * batch goes out in one {@code sendmsg} with UDP generic segmentation offload and a batch sent
 * that way to a local port comes in whole through one {@code recvmsg} with UDP GRO; the wire
 * carries the same datagrams either way, so either end may be a plain socket. Elsewhere a
 * {@link java.nio.channels.DatagramChannel} sends and receives the datagrams one by one.
 *
 * <pre>
 *  send(batch, segmentSize = S)                         receive(into) -> length L, segmentSize() S
 *  +---------- S ----------+---------- S ----------+--- &lt;= S ---+
 *  | datagram 0            | datagram 1            | last        |   one system call each way
 *  +-----------------------+-----------------------+-------------+   (one per datagram on a channel)
 *  |&lt;------------------ at most MAX_BATCH bytes, MAX_SEGMENTS datagrams ----------------&gt;|
 * </pre>
 *
 * <p>Threading: {@link #send} and {@link #wakeup} from any thread; {@link #await} and
 * {@link #receive} (and the {@link #sender()}/{@link #segmentSize()} they set) from one receiving
 * thread; {@link #close} from any thread, once the others may fail.
 */
public interface DatagramPort extends Closeable {
    /** The largest batch, in bytes: what fits one IPv4 UDP datagram (65,535 - 20 - 8). */
    int MAX_BATCH = 65_507;

    /** The most datagrams in one batch (the kernel's limit of GSO segments). */
    int MAX_SEGMENTS = 64;

    /** Receive buffers hold this many bytes: any batch, or any single datagram. */
    int RECEIVE_CAPACITY = 65_536;

    /**
     * Opens a port bound to a local address, which sends to and receives from anyone.
     *
     * @param local the address and port to bind; port 0 picks a free one
     * @param bufferBytes the socket's send and receive buffer sizes to ask for
     * @return the bound port: batching where it can be, else a channel
     * @throws IOException if the socket cannot be opened or bound
     */
    static DatagramPort bind(InetSocketAddress local, int bufferBytes) throws IOException {
        return Ports.open(local, null, bufferBytes);
    }

    /**
     * Opens a port connected to one peer: it sends there only ({@code to} is null) and receives
     * from there only.
     *
     * @param remote the peer
     * @param bufferBytes the socket's send and receive buffer sizes to ask for
     * @return the connected port
     * @throws IOException if the socket cannot be opened or connected
     */
    static DatagramPort connect(InetSocketAddress remote, int bufferBytes) throws IOException {
        return Ports.open(null, remote, bufferBytes);
    }

    /**
     * Tells whether a batch takes one system call each way here.
     *
     * @return true for the GSO/GRO port, false for the channel
     */
    boolean batching();

    /**
     * Returns the bound address.
     *
     * @return the local address and port
     * @throws IOException if the port is closed
     */
    InetSocketAddress localAddress() throws IOException;

    /**
     * Sends a batch without blocking: the bytes from the buffer's position to its limit, as
     * datagrams of {@code segmentSize} bytes. What the socket takes goes out in whole
     * datagrams; the position moves past them.
     *
     * @param batch the datagrams, back to back (heap or direct)
     * @param segmentSize the size of every datagram but the last, at least 1
     * @param to the peer, or null on a connected port
     * @return the bytes sent: 0 when the socket buffer is full, less than the batch when it
     *     filled up midway while datagrams went one by one (a multiple of {@code segmentSize})
     * @throws IllegalArgumentException if the batch exceeds {@link #MAX_BATCH} bytes or
     *     {@link #MAX_SEGMENTS} datagrams, or {@code segmentSize} is below 1
     * @throws java.net.PortUnreachableException if a connected peer refused an earlier datagram
     * @throws java.nio.channels.ClosedChannelException if the port is closed
     * @throws IOException if sending failed otherwise
     */
    int send(ByteBuffer batch, int segmentSize, InetSocketAddress to) throws IOException;

    /**
     * Receives one batch without blocking, from the buffer's position; the position moves past
     * it. {@link #sender()} and {@link #segmentSize()} then describe it.
     *
     * @param into a buffer with at least {@link #RECEIVE_CAPACITY} bytes remaining
     * @return the bytes received, or 0 when nothing is waiting
     * @throws IllegalArgumentException if fewer than {@link #RECEIVE_CAPACITY} bytes remain
     * @throws java.net.PortUnreachableException if a connected peer refused an earlier datagram
     * @throws java.nio.channels.ClosedChannelException if the port is closed
     * @throws IOException if receiving failed otherwise
     */
    int receive(ByteBuffer into) throws IOException;

    /**
     * Returns who sent the last batch received. The same object is returned again while the
     * sender does not change.
     *
     * @return the sender of the last batch
     */
    InetSocketAddress sender();

    /**
     * Returns the size of the datagrams of the last batch received: every one but the last has
     * exactly this size. Equals the length when the batch is one datagram.
     *
     * @return the segment size of the last batch
     */
    int segmentSize();

    /**
     * Blocks until a datagram is waiting, {@link #wakeup} is called, the port is closed or the
     * timeout passes, whichever comes first.
     *
     * @param timeoutMillis the longest wait, at least 1
     * @throws java.nio.channels.ClosedChannelException if the port is closed
     * @throws IOException if waiting failed
     */
    void await(long timeoutMillis) throws IOException;

    /** Makes the current or the next {@link #await} return at once. */
    void wakeup();

    /**
     * Closes the socket; an {@link #await} in progress returns, later calls fail. Idempotent.
     */
    @Override
    void close();
}

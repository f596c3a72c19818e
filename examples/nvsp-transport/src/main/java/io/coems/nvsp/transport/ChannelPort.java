package io.coems.nvsp.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The portable port: a non-blocking {@link DatagramChannel} and a {@link Selector} to wait on.
 * A batch goes out one datagram per call; every receive is one datagram.
 */
final class ChannelPort extends ReceivingPort {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelPort.class);

    private final DatagramChannel channel;
    private final Selector selector;

    private ChannelPort(DatagramChannel channel, Selector selector) {
        this.channel = channel;
        this.selector = selector;
    }

    /** Opens the channel, bound to {@code local} or connected to {@code remote}. */
    static ChannelPort open(InetSocketAddress local, InetSocketAddress remote, int bufferBytes) throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, bufferBytes);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, bufferBytes);
            if (local != null) {
                channel.bind(local);
            } else {
                channel.connect(remote);
            }
            channel.configureBlocking(false);
            Selector selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
            return new ChannelPort(channel, selector);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public boolean batching() {
        return false;
    }

    @Override
    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    @Override
    public int send(ByteBuffer batch, int segmentSize, InetSocketAddress to) throws IOException {
        int length = batch.remaining();
        Ports.checkBatch(length, segmentSize);
        int limit = batch.limit();
        int sent = 0;
        try {
            while (sent < length) {
                int size = Math.min(segmentSize, length - sent);
                batch.limit(batch.position() + size);
                if ((to == null ? channel.write(batch) : channel.send(batch, to)) == 0) {
                    break;
                }
                sent += size;
            }
        } finally {
            batch.limit(limit);
        }
        return sent;
    }

    @Override
    public int receive(ByteBuffer into) throws IOException {
        checkRoom(into);
        int start = into.position();
        while (true) {
            SocketAddress from = channel.receive(into);
            if (from == null) {
                return 0;
            }
            int length = into.position() - start;
            if (length > 0) {
                received((InetSocketAddress) from, length);
                return length;
            }
        }
    }

    @Override
    public void await(long timeoutMillis) throws IOException {
        try {
            selector.select(Math.max(1, timeoutMillis));
            selector.selectedKeys().clear();
        } catch (ClosedSelectorException e) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public void wakeup() {
        selector.wakeup();
    }

    @Override
    public void close() {
        try (channel) {
            selector.close();
        } catch (IOException e) {
            LOG.debug("closing the channel {} failed", channel, e);
        }
    }
}

package io.coems.nvsp.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP relay between NVSP clients and a server that damages the traffic on purpose, in both
 * directions: it drops, duplicates, reorders (holds a datagram back so later ones overtake it),
 * delays and corrupts (flips one byte) datagrams at configured rates. Each client address gets
 * its own upstream socket, so the server sees one address per client, as through a NAT.
 *
 * <p>One thread runs the relay (a selector loop plus a queue of held-back datagrams); the
 * random choices come from one seeded generator, printed by the tests that use it. Loopback only.
 */
final class LossyRelay implements AutoCloseable {
    /**
     * Rates, each a probability per datagram in [0, 1), and the longest hold-back.
     *
     * @param drop      the datagram is lost
     * @param duplicate the datagram arrives twice
     * @param reorder   the datagram is held back up to {@code maxDelayMillis}, so later ones overtake it
     * @param corrupt   one byte of the datagram is flipped
     * @param maxDelayMillis the longest a reordered datagram is held
     */
    record Impairments(double drop, double duplicate, double reorder, double corrupt, int maxDelayMillis) {
        static final Impairments NONE = new Impairments(0, 0, 0, 0, 0);
    }

    /** A datagram held back until {@code dueNanos}. */
    private record Held(long dueNanos, long order, DatagramChannel via, SocketAddress to, byte[] data) {
    }

    private final InetSocketAddress server;
    private final Selector selector;
    private final DatagramChannel front;
    private final Map<SocketAddress, DatagramChannel> upstreamOf = new HashMap<>();
    private final Map<DatagramChannel, SocketAddress> clientOf = new HashMap<>();
    private final PriorityQueue<Held> held = new PriorityQueue<>((a, b) -> a.dueNanos != b.dueNanos
            ? Long.compare(a.dueNanos, b.dueNanos) : Long.compare(a.order, b.order));
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(65_536);
    private final SplittableRandom random;
    private final Thread thread;
    private volatile Impairments impairments;
    private long order;

    final AtomicLong forwarded = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong duplicated = new AtomicLong();
    final AtomicLong reordered = new AtomicLong();
    final AtomicLong corrupted = new AtomicLong();

    LossyRelay(InetSocketAddress server, Impairments impairments, long seed) throws IOException {
        this.server = server;
        this.impairments = impairments;
        this.random = new SplittableRandom(seed);
        this.selector = Selector.open();
        this.front = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        front.configureBlocking(false).register(selector, SelectionKey.OP_READ);
        this.thread = Thread.ofPlatform().name("lossy-relay").daemon().start(this::run);
    }

    /** The address clients send to. */
    InetSocketAddress address() {
        try {
            return (InetSocketAddress) front.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Changes the rates from now on. */
    void impairments(Impairments changed) {
        this.impairments = changed;
    }

    private void run() {
        try {
            while (selector.isOpen()) {
                long waitMillis = held.isEmpty() ? 0 : Math.max(1, (held.peek().dueNanos - System.nanoTime()) / 1_000_000);
                selector.select(waitMillis);
                for (SelectionKey key : selector.selectedKeys()) {
                    drain((DatagramChannel) key.channel());
                }
                selector.selectedKeys().clear();
                releaseDue();
            }
        } catch (ClosedSelectorException | IOException closed) {
            // close() ends the relay
        }
    }

    private void drain(DatagramChannel channel) throws IOException {
        SocketAddress from;
        while ((from = receive(channel)) != null) {
            byte[] data = new byte[buffer.remaining()];
            buffer.get(data);
            if (channel == front) {
                relay(upstream(from), server, data);
            } else {
                relay(front, clientOf.get(channel), data);
            }
        }
    }

    private SocketAddress receive(DatagramChannel channel) throws IOException {
        buffer.clear();
        SocketAddress from = channel.receive(buffer);
        buffer.flip();
        return from;
    }

    private DatagramChannel upstream(SocketAddress client) throws IOException {
        DatagramChannel up = upstreamOf.get(client);
        if (up == null) {
            up = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            up.configureBlocking(false).register(selector, SelectionKey.OP_READ);
            upstreamOf.put(client, up);
            clientOf.put(up, client);
        }
        return up;
    }

    /** Sends {@code data} through {@code via} to {@code to}, after the impairments have had their way. */
    private void relay(DatagramChannel via, SocketAddress to, byte[] data) throws IOException {
        Impairments now = impairments;
        if (random.nextDouble() < now.drop()) {
            dropped.incrementAndGet();
            return;
        }
        if (random.nextDouble() < now.corrupt()) {
            data[random.nextInt(data.length)] ^= (byte) (1 + random.nextInt(255));
            corrupted.incrementAndGet();
        }
        int copies = 1;
        if (random.nextDouble() < now.duplicate()) {
            duplicated.incrementAndGet();
            copies = 2;
        }
        for (int i = 0; i < copies; i++) {
            if (random.nextDouble() < now.reorder() && now.maxDelayMillis() > 0) {
                reordered.incrementAndGet();
                long delay = 1_000_000L * (1 + random.nextInt(now.maxDelayMillis()));
                held.add(new Held(System.nanoTime() + delay, order++, via, to, data));
            } else {
                send(via, to, data);
            }
        }
    }

    private void releaseDue() throws IOException {
        long now = System.nanoTime();
        while (!held.isEmpty() && held.peek().dueNanos <= now) {
            Held h = held.poll();
            send(h.via, h.to, h.data);
        }
    }

    private void send(DatagramChannel via, SocketAddress to, byte[] data) throws IOException {
        via.send(ByteBuffer.wrap(data), to);
        forwarded.incrementAndGet();
    }

    @Override
    public void close() throws IOException {
        selector.close();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        front.close();
        for (DatagramChannel up : upstreamOf.values()) {
            up.close();
        }
    }

    @Override
    public String toString() {
        return "relay forwarded " + forwarded + ", dropped " + dropped + ", duplicated " + duplicated
                + ", reordered " + reordered + ", corrupted " + corrupted;
    }
}

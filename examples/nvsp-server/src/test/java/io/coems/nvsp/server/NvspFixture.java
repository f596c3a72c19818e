package io.coems.nvsp.server;

import io.coems.nvsp.SecurityMode;
import io.coems.nvsp.client.ClientOptions;
import io.coems.nvsp.client.NvspClient;
import io.coems.vvm.Client;
import io.coems.vvm.PoolOptions;
import io.coems.vvm.Volume;
import io.coems.vvm.VolumePool;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A directory pool with clients that hold keys and volumes assigned to them, served by an
 * {@link NvspServer} on loopback: what the end-to-end tests start from. Closing it closes
 * the clients it connected, the server and the pool.
 */
final class NvspFixture implements AutoCloseable {
    static final PoolOptions OPTIONS = PoolOptions.defaults().withFileBytes(PoolOptions.MIN_FILE_BYTES)
            .withMaxBytes(4L << 30);

    /** A client of the pool as the tests know it: its pool id, its key and its volume. */
    record Member(long id, String name, byte[] key, long volumeId) {
    }

    final Path directory;
    final VolumePool pool;
    private final UnaryOperator<NvspServer.Builder> configure;
    private final List<NvspClient> connected = new ArrayList<>();
    NvspServer server;

    NvspFixture(Path directory, UnaryOperator<NvspServer.Builder> configure) {
        this.directory = directory;
        this.pool = VolumePool.create(directory, OPTIONS);
        this.configure = configure;
    }

    /** Registers {@code name} with a fresh key and, if {@code volumeBytes > 0}, a volume of its own. */
    Member member(String name, long volumeBytes, boolean manager) {
        Client c = pool.clients().register(name, "", "", Map.of(), Map.of());
        byte[] key = ClientKeys.newKey();
        ClientKeys.grant(pool.clients(), c.id(), key, manager);
        long volumeId = 0;
        if (volumeBytes > 0) {
            Volume v = pool.createVolume(name + "-disk", volumeBytes);
            pool.clients().assign(v, c.id());
            volumeId = v.id();
        }
        return new Member(c.id(), name, key, volumeId);
    }

    /** Starts (or restarts, on the same port) the server. */
    NvspFixture start() {
        NvspServer.Builder b = NvspServer.builder(pool);
        if (server != null) {
            b.port(server.address().getPort());
        } else {
            b.port(0);
        }
        server = configure.apply(b).build().start();
        return this;
    }

    /** Connects {@code m} to {@code address} (the server's, or a relay's). */
    NvspClient connect(Member m, InetSocketAddress address, int maxDatagram) {
        NvspClient c = NvspClient.connect(ClientOptions.builder(address, m.id(), m.key())
                .maxDatagram(maxDatagram).securityMode(SecurityMode.ENCRYPTED)
                .requestTimeout(Duration.ofSeconds(60)).build());
        synchronized (connected) {
            connected.add(c);
        }
        return c;
    }

    /** Connects {@code m} straight to the server with the default datagram size. */
    NvspClient connect(Member m) {
        return connect(m, server.address(), 1408);
    }

    @Override
    public void close() {
        synchronized (connected) {
            connected.forEach(NvspClient::close);
        }
        if (server != null) {
            server.close();
        }
        pool.close();
    }
}

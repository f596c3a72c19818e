package io.coems.nbd;

import io.coems.vvm.PoolClosedException;
import io.coems.vvm.PoolException;
import io.coems.vvm.VolumePool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An NBD server over a {@link VolumePool}: every volume is an export under its name (read-write,
 * unless the volume is read-only) and every snapshot a read-only export named
 * {@code volume@snapshot}. Exports are looked up when a client asks, so volumes and snapshots
 * made while the server runs are served too.
 *
 * <pre>{@code
 * try (NbdServer server = NbdServer.builder(pool).port(10809).build().start()) {
 *     // qemu-img info nbd://127.0.0.1:10809/golden
 * }
 * }</pre>
 *
 * The server does not own the pool: {@link #close()} flushes it but leaves it open. One virtual
 * thread accepts connections, one reads each connection's requests, and each request runs on a
 * virtual thread of its own, up to {@link Builder#maxRequestsInFlight} of them per connection;
 * their replies may leave in another order than the requests came, as NBD allows.
 */
public final class NbdServer implements AutoCloseable {
    /** The port NBD clients use when given none. */
    public static final int DEFAULT_PORT = 10809;
    /** The default largest READ or WRITE length: 32 MiB. */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 32 << 20;
    /** The default number of requests one connection may have in flight: 16. */
    public static final int DEFAULT_MAX_REQUESTS_IN_FLIGHT = 16;
    /** The most requests in flight per connection the builder accepts. */
    public static final int MAX_REQUESTS_IN_FLIGHT = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(NbdServer.class);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    /** The virtual threads requests run on. */
    private static final ThreadFactory REQUEST_THREADS = Thread.ofVirtual().name("nbd-request").factory();

    private final VolumePool pool;
    private final InetAddress bindAddress;
    private final int requestedPort;
    private final int maxRequestBytes;
    private final int maxRequestsInFlight;
    private final Executor requestExecutor;
    private final Set<NbdConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong connectionCount = new AtomicLong();
    private volatile ServerSocket serverSocket;
    private volatile Thread acceptor;
    private volatile boolean closed;

    private NbdServer(Builder builder) {
        this.pool = builder.pool;
        this.bindAddress = builder.bindAddress;
        this.requestedPort = builder.port;
        this.maxRequestBytes = builder.maxRequestBytes;
        this.maxRequestsInFlight = builder.maxRequestsInFlight;
        this.requestExecutor = builder.requestExecutor;
    }

    /**
     * A builder of a server for {@code pool}: loopback, port {@value #DEFAULT_PORT}, 32 MiB
     * requests, {@value #DEFAULT_MAX_REQUESTS_IN_FLIGHT} requests in flight per connection.
     */
    public static Builder builder(VolumePool pool) {
        return new Builder(Objects.requireNonNull(pool, "pool"));
    }

    /**
     * Binds the socket and starts accepting clients.
     *
     * @return this server
     * @throws UncheckedIOException if the address cannot be bound
     * @throws IllegalStateException if the server was started or closed before
     */
    public synchronized NbdServer start() {
        if (serverSocket != null || closed) {
            throw new IllegalStateException("the NBD server was already started");
        }
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(bindAddress, requestedPort), 64);
            serverSocket = socket;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + bindAddress.getHostAddress() + ":" + requestedPort, e);
        }
        acceptor = Thread.ofVirtual().name("nbd-accept").start(this::acceptLoop);
        LOG.info("NBD server listening on {}", address());
        return this;
    }

    /** The port the server listens on (the one chosen by the system if the builder said 0). */
    public int port() {
        ServerSocket socket = serverSocket;
        if (socket == null) {
            throw new IllegalStateException("the NBD server is not started");
        }
        return socket.getLocalPort();
    }

    /** The address and port the server listens on. */
    public InetSocketAddress address() {
        return new InetSocketAddress(bindAddress, port());
    }

    /** The names of the exports now: each volume's, then {@code volume@snapshot} for each of its snapshots. */
    public List<String> exports() {
        return NbdExport.all(pool).stream().map(NbdExport::name).toList();
    }

    /** How many clients are connected now. */
    public int connections() {
        return connections.size();
    }

    /**
     * Stops the server: no new clients; each connected client's requests in flight are finished
     * and answered, then its connection is closed (forcibly after 5 s); the pool is flushed, so
     * every write answered is durable. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        ServerSocket socket = serverSocket;
        if (socket == null) {
            return;
        }
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("closing the listening socket", e);
        }
        join(acceptor, CLOSE_WAIT);
        for (NbdConnection connection : connections) {
            connection.stopReading();
        }
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        for (NbdConnection connection : connections) {
            join(connection.thread(), Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            connection.closeSocket();
        }
        try {
            pool.flush();
        } catch (PoolClosedException e) {
            LOG.debug("the pool was closed before the NBD server");
        } catch (PoolException e) {
            LOG.warn("flushing the pool when closing the NBD server failed: {}", e.getMessage());
        }
        LOG.info("NBD server on {}:{} closed", bindAddress.getHostAddress(), socket.getLocalPort());
    }

    private void acceptLoop() {
        ServerSocket socket = serverSocket;
        while (!closed) {
            Socket client;
            try {
                client = socket.accept();
            } catch (SocketException e) {
                if (!closed) {
                    LOG.error("NBD server stopped accepting: {}", e.getMessage());
                }
                return;
            } catch (IOException e) {
                LOG.warn("accepting an NBD client failed: {}", e.getMessage());
                continue;
            }
            if (closed) {
                closeQuietly(client);
                return;
            }
            NbdConnection connection = new NbdConnection(this, client, connectionCount.incrementAndGet());
            connections.add(connection);
            connection.start();
        }
    }

    VolumePool pool() {
        return pool;
    }

    int maxRequestBytes() {
        return maxRequestBytes;
    }

    int maxRequestsInFlight() {
        return maxRequestsInFlight;
    }

    Executor requestExecutor() {
        return requestExecutor;
    }

    boolean isClosed() {
        return closed;
    }

    void finished(NbdConnection connection) {
        connections.remove(connection);
    }

    private static void join(Thread thread, Duration timeout) {
        if (thread == null) {
            return;
        }
        try {
            thread.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("closing a socket", e);
        }
    }

    /** Options of an {@link NbdServer}. Not thread-safe. */
    public static final class Builder {
        private final VolumePool pool;
        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private int port = DEFAULT_PORT;
        private int maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
        private int maxRequestsInFlight = DEFAULT_MAX_REQUESTS_IN_FLIGHT;
        private Executor requestExecutor = task -> REQUEST_THREADS.newThread(task).start();

        private Builder(VolumePool pool) {
            this.pool = pool;
        }

        /** The address to listen on; loopback unless set. */
        public Builder bindAddress(InetAddress address) {
            this.bindAddress = Objects.requireNonNull(address, "address");
            return this;
        }

        /**
         * The port to listen on, 0 for one the system picks ({@link NbdServer#port()} tells).
         *
         * @throws IllegalArgumentException if not from 0 to 65535
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is not from 0 to 65535");
            }
            this.port = port;
            return this;
        }

        /**
         * The largest READ or WRITE a client may send, advertised as the maximum block size;
         * longer requests are refused with EOVERFLOW before any buffer is allocated.
         *
         * @throws IllegalArgumentException if not a power of two from 64 KiB to 1 GiB
         */
        public Builder maxRequestBytes(int bytes) {
            if (bytes < (64 << 10) || bytes > (1 << 30) || Integer.bitCount(bytes) != 1) {
                throw new IllegalArgumentException("maximum request " + bytes + " bytes is not a power of two from 64 KiB to 1 GiB");
            }
            this.maxRequestBytes = bytes;
            return this;
        }

        /**
         * How many requests one connection may have in flight (read, not yet answered); the
         * connection reads no further request while that many are. Each holds a buffer of up to
         * 1 MiB while it is in flight, so a connection uses at most this many MiB for data.
         *
         * @throws IllegalArgumentException if not from 1 to {@value NbdServer#MAX_REQUESTS_IN_FLIGHT}
         */
        public Builder maxRequestsInFlight(int requests) {
            if (requests < 1 || requests > MAX_REQUESTS_IN_FLIGHT) {
                throw new IllegalArgumentException("requests in flight " + requests + " is not from 1 to " + MAX_REQUESTS_IN_FLIGHT);
            }
            this.maxRequestsInFlight = requests;
            return this;
        }

        /** Runs each request once it is read; a virtual thread per request unless a test holds requests back. */
        Builder requestExecutor(Executor executor) {
            this.requestExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** The server, not started yet. */
        public NbdServer build() {
            return new NbdServer(this);
        }
    }
}

package io.coems.nvsp.server;

import io.coems.nvsp.frame.FrameHeader;
import io.coems.nvsp.message.MessageType;
import io.coems.nvsp.message.StatusResponse;
import io.coems.nvsp.transport.DatagramPort;
import io.coems.vvm.Client;
import io.coems.vvm.PoolClosedException;
import io.coems.vvm.PoolException;
import io.coems.vvm.VolumePool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NVSP reference server: hosts a {@link VolumePool} for many clients over UDP.
 *
 * <pre>{@code
 * try (NvspServer server = NvspServer.builder(pool).port(0).build().start()) {
 *     InetSocketAddress address = server.address();   // clients connect here
 * }
 * }</pre>
 *
 * Clients authenticate with the pre-shared key stored in the pool ({@link ClientKeys}); each
 * reaches only the volumes assigned to it, and clients with the manager role may also manage
 * the pool under its lease. One receive thread handles the handshake, authentication,
 * reassembly, duplicate requests and credits; {@code workers} threads execute the requests,
 * handed out fairly (deficit round robin weighted by each client's share, with optional IOPS and
 * bandwidth caps). Memory is bounded: a fixed budget of message buffers, a fixed number of
 * reassembly slots and, per session, as many queued requests as credits.
 *
 * <p>The server does not own the pool unless {@link Builder#closePoolOnClose} says so.
 * {@link #close()} is graceful. All public methods are thread-safe.
 */
public final class NvspServer implements AutoCloseable {
    /** The port clients use when given none. */
    public static final int DEFAULT_PORT = 7420;
    /** The default requests a session may have in flight. */
    public static final int DEFAULT_CREDITS = 16;
    /** The default keep-alive period; a session expires after three periods of silence. */
    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(10);
    /** The default largest READ or WRITE: 128 KiB. */
    public static final int DEFAULT_MAX_IO_BYTES = 128 << 10;
    /** The default most sessions open at once. */
    public static final int DEFAULT_MAX_SESSIONS = 1024;
    /** The default most sessions of one client open at once. */
    public static final int DEFAULT_MAX_SESSIONS_PER_CLIENT = 4;
    /** The default budget of message buffers: 32 MiB. */
    public static final long DEFAULT_BUFFER_BUDGET = 32L << 20;
    /**
     * The largest datagram, the most UDP carries over IPv4 (65,507 bytes): the default and the
     * limit of the negotiated maximum.
     */
    public static final int MAX_DATAGRAM = DatagramPort.MAX_BATCH;

    private static final Logger LOG = LoggerFactory.getLogger(NvspServer.class);
    private static final long QUANTUM_BYTES = 64 << 10;
    private static final int SOCKET_BUFFER_BYTES = 8 << 20;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);
    private static final int SECRET_BYTES = 32;
    /** One in this many buffers of the budget is a reassembly slot. */
    private static final int REASSEMBLY_SHARE = 4;
    private static final int MIN_REASSEMBLY_SLOTS = 8;

    private final VolumePool pool;
    private final InetAddress bindAddress;
    private final int requestedPort;
    private final int maxDatagram;
    private final int workers;
    private final int credits;
    private final Duration keepAlive;
    private final Map<Long, Integer> shares;
    private final Map<Long, long[]> limits;
    private final boolean closePool;
    private final int maxIoBytes;
    /** Bytes of each large buffer and reassembly slot: the largest message. */
    private final int bufferSize;
    /** Large buffers: WRITEs being executed, the workers' responses, kept READ_RESPONSEs. */
    private final int bufferCount;
    /** Reassembly slots, shared by all sessions. */
    private final int reassemblySlots;
    private final int maxSessions;
    private final int maxSessionsPerClient;
    private final Map<Long, ClientState> clientStates = new ConcurrentHashMap<>();
    private final AtomicLong sessions = new AtomicLong();
    private final LongAdder handshakes = new LongAdder();
    private final LongAdder handshakeFailures = new LongAdder();
    private final LongAdder unknownSessionAnswers = new LongAdder();
    private final LongAdder unattributedDrops = new LongAdder();
    private DatagramPort port;
    private BufferPool buffers;
    private Scheduler scheduler;
    private Receiver receiver;
    private Thread receiveThread;
    private final List<Thread> workerThreads = new ArrayList<>();
    private volatile InetSocketAddress address;
    private boolean started;
    private boolean closed;

    private NvspServer(Builder builder) {
        this.pool = builder.pool;
        this.bindAddress = builder.bindAddress;
        this.requestedPort = builder.port;
        this.maxDatagram = builder.maxDatagram;
        this.workers = builder.workers;
        this.credits = builder.credits;
        this.keepAlive = builder.keepAlive;
        this.shares = Map.copyOf(builder.shares);
        this.limits = Map.copyOf(builder.limits);
        this.closePool = builder.closePoolOnClose;
        this.maxIoBytes = builder.maxIoBytes;
        this.bufferSize = bufferSize(builder.maxIoBytes);
        long budget = builder.bufferBudget > 0 ? builder.bufferBudget
                : Math.max(DEFAULT_BUFFER_BUDGET, minimumBudget(builder.workers, bufferSize));
        int buffers = (int) Math.min(budget / bufferSize, Integer.MAX_VALUE);
        this.reassemblySlots = buffers / REASSEMBLY_SHARE;
        this.bufferCount = buffers - reassemblySlots;
        this.maxSessions = builder.maxSessions;
        this.maxSessionsPerClient = builder.maxSessionsPerClient;
    }

    /**
     * A builder of a server for {@code pool}: loopback, port {@value #DEFAULT_PORT}, datagrams up
     * to {@value #MAX_DATAGRAM} bytes, {@value #DEFAULT_CREDITS} credits, a 10 s keep-alive.
     *
     * @param pool the pool to serve
     * @return a builder
     */
    public static Builder builder(VolumePool pool) {
        return new Builder(Objects.requireNonNull(pool, "pool"));
    }

    /**
     * Binds the socket and starts the receive thread and the workers.
     *
     * @return this server
     * @throws UncheckedIOException if the address cannot be bound
     * @throws IllegalStateException if the server was started or closed before
     */
    public synchronized NvspServer start() {
        if (started || closed) {
            throw new IllegalStateException("the NVSP server was already started");
        }
        try {
            port = DatagramPort.bind(new InetSocketAddress(bindAddress, requestedPort), SOCKET_BUFFER_BYTES);
            address = port.localAddress();
        } catch (IOException e) {
            closeQuietly();
            throw new UncheckedIOException("cannot listen on " + bindAddress.getHostAddress() + ":" + requestedPort, e);
        }
        started = true;
        buffers = new BufferPool(bufferCount, bufferSize);
        scheduler = new Scheduler(QUANTUM_BYTES, System::nanoTime);
        byte[] secret = new byte[SECRET_BYTES];
        new SecureRandom().nextBytes(secret);
        CookieJar cookies = new CookieJar(secret, () -> System.currentTimeMillis() / 1000);
        receiver = new Receiver(this, port, scheduler, buffers, cookies);
        receiveThread = Thread.ofPlatform().name("nvsp-receive").daemon().start(receiver);
        for (int i = 1; i <= workers; i++) {
            RequestExecutor executor = new RequestExecutor(pool, buffers, maxIoBytes,
                    new Transmitter(port, i, Transmitter.WORKER_WAIT_NANOS));
            workerThreads.add(Thread.ofPlatform().name("nvsp-worker-" + i).daemon().start(() -> work(executor)));
        }
        LOG.info("NVSP server listening on {}: {} workers, {} credits, datagrams up to {} bytes, keep-alive {} ms, {}",
                address, workers, credits, maxDatagram, keepAlive.toMillis(),
                port.batching() ? "batched datagram I/O (UDP GSO/GRO)" : "one datagram per system call");
        return this;
    }

    /**
     * Tells whether datagrams go out and come in batches, one system call per up to 64 KiB
     * (Linux UDP GSO and GRO, when the {@code io.coems.nvsp.transport} module has native access),
     * rather than one call per datagram.
     *
     * @return true for batched datagram I/O
     * @throws IllegalStateException if the server is not started
     */
    public synchronized boolean batchedIo() {
        if (port == null) {
            throw new IllegalStateException("the NVSP server is not started");
        }
        return port.batching();
    }

    /**
     * The address and port the server listens on (the port the system chose if the builder said 0).
     *
     * @return the bound address
     * @throws IllegalStateException if the server is not started
     */
    public InetSocketAddress address() {
        InetSocketAddress bound = address;
        if (bound == null) {
            throw new IllegalStateException("the NVSP server is not started");
        }
        return bound;
    }

    /**
     * A snapshot of the counters: per client and server-wide.
     *
     * @return the metrics now
     */
    public ServerMetrics metrics() {
        List<ServerMetrics.ClientMetrics> clients = clientStates.values().stream()
                .sorted(Comparator.comparingLong(ClientState::id)).map(ClientState::metrics).toList();
        return new ServerMetrics(sessions.get(), handshakes.sum(), handshakeFailures.sum(), unknownSessionAnswers.sum(),
                unattributedDrops.sum(), clients);
    }

    /**
     * Stops the server gracefully: new handshakes are dropped and new requests answered
     * ESHUTDOWN; the requests already accepted are executed and answered (for at most 10 s);
     * the pool is flushed, so every write answered is durable; every session gets CLOSE with
     * ESHUTDOWN; the metrics are logged; the socket is closed, and the pool too if the builder
     * said so. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (started) {
            stopServing();
        }
        if (closePool) {
            pool.close();
        }
    }

    private void stopServing() {
        receiver.drain();
        scheduler.stop();
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        for (Thread worker : workerThreads) {
            join(worker, deadline);
        }
        try {
            pool.flush();
        } catch (PoolClosedException e) {
            LOG.debug("the pool was closed before the NVSP server");
        } catch (PoolException e) {
            LOG.warn("flushing the pool when closing the NVSP server failed: {}", e.getMessage());
        }
        receiver.stop();
        join(receiveThread, deadline);
        sayGoodbye();
        logMetrics();
        closeQuietly();
        LOG.info("NVSP server on {} closed", address);
    }

    /** Sends CLOSE with ESHUTDOWN to every session. */
    private void sayGoodbye() {
        Transmitter transmitter = new Transmitter(port, workers + 1, Transmitter.WORKER_WAIT_NANOS);
        StatusResponse close = new StatusResponse();
        for (Session session : receiver.sessions()) {
            close.encode(transmitter.segment(), Transmitter.PAYLOAD, session.payloadRoom(), MessageType.CLOSE)
                    .status(io.coems.nvsp.Status.ESHUTDOWN);
            transmitter.sendSingle(session, 0, close.encodedLength());
            session.markClosed();
            sessions.decrementAndGet();
            LOG.info("{} closed: the server shuts down", session);
        }
    }

    private void logMetrics() {
        ServerMetrics metrics = metrics();
        LOG.info("NVSP server metrics: {} handshakes, {} handshake failures, {} UNKNOWN_SESSION answers, "
                + "{} unattributed drops", metrics.handshakes(), metrics.handshakeFailures(),
                metrics.unknownSessionAnswers(), metrics.unattributedDrops());
        for (ServerMetrics.ClientMetrics client : metrics.clients()) {
            LOG.info("NVSP client {} ({}): {} requests, {} bytes read, {} written, {} retransmissions, drops {}, "
                    + "latency {}", client.clientId(), client.name(), client.requests(), client.bytesRead(),
                    client.bytesWritten(), client.retransmissions(), client.drops(), client.latency());
        }
    }

    private void work(RequestExecutor executor) {
        try {
            for (Job job = scheduler.take(); job != null; job = scheduler.take()) {
                Session session = job.session;
                executor.execute(job);
                if (session.finished()) {
                    executor.answerClose(session);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeQuietly() {
        if (port != null) {
            port.close();
        }
    }

    private static void join(Thread thread, long deadlineNanos) {
        try {
            thread.join(Duration.ofNanos(Math.max(1, deadlineNanos - System.nanoTime())));
            if (thread.isAlive()) {
                LOG.warn("{} did not finish within {} s", thread.getName(), CLOSE_WAIT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ for the threads

    VolumePool pool() {
        return pool;
    }

    int maxDatagram() {
        return maxDatagram;
    }

    int credits() {
        return credits;
    }

    Duration keepAlive() {
        return keepAlive;
    }

    /** The reassembly slots, each of one large buffer's size, carved out of the buffer budget. */
    int reassemblySlots() {
        return reassemblySlots;
    }

    /** A large buffer: the largest message, rounded up to 64 bytes. */
    private static int bufferSize(int maxIoBytes) {
        return Math.toIntExact((maxIoBytes + 64 + 63) & ~63L);
    }

    /**
     * The least budget that holds, after its share of reassembly slots, two large buffers per
     * worker and eight more.
     */
    private static long minimumBudget(int workers, int bufferSize) {
        long large = 2L * workers + 8;
        long total = Math.ceilDiv(large * REASSEMBLY_SHARE, REASSEMBLY_SHARE - 1);
        while (total - total / REASSEMBLY_SHARE < large || total / REASSEMBLY_SHARE < MIN_REASSEMBLY_SLOTS) {
            total++;
        }
        return total * bufferSize;
    }

    int maxIoBytes() {
        return maxIoBytes;
    }

    int maxSessions() {
        return maxSessions;
    }

    int maxSessionsPerClient() {
        return maxSessionsPerClient;
    }

    /** The keep-alive period as ACCEPT carries it: whole seconds, at least 1. */
    int keepAliveSeconds() {
        return (int) Math.clamp((keepAlive.toMillis() + 999) / 1000, 1, 0xFFFF);
    }

    /** Threads that send: the receive thread, the workers and the one that closes. */
    int senders() {
        return workers + 2;
    }

    /** The state of a client opening a session, made at its first session. */
    ClientState clientState(Client client, long nowNanos) {
        ClientState state = clientStates.computeIfAbsent(client.id(), id -> {
            long[] limit = limits.getOrDefault(id,
                    new long[] {attribute(client, ClientKeys.IOPS, 0), attribute(client, ClientKeys.BANDWIDTH, 0)});
            int share = shares.getOrDefault(id, (int) Math.clamp(attribute(client, ClientKeys.SHARE, 1), 1, 1000));
            return new ClientState(id, client.name(), share, limit[0], limit[1], nowNanos);
        });
        state.name(client.name());
        return state;
    }

    private static long attribute(Client client, String key, long otherwise) {
        String value = client.attributes().get(key);
        if (value == null) {
            return otherwise;
        }
        try {
            long parsed = Long.parseLong(value.trim());
            if (parsed >= 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        LOG.warn("client {} ({}): attribute {}={} is not a non-negative integer; using {}", client.id(), client.name(),
                key, value, otherwise);
        return otherwise;
    }

    void sessionOpened() {
        sessions.incrementAndGet();
        handshakes.increment();
    }

    void sessionClosed() {
        sessions.decrementAndGet();
    }

    void handshakeFailed() {
        handshakeFailures.increment();
    }

    void unknownSessionAnswered() {
        unknownSessionAnswers.increment();
    }

    void unattributedDrop() {
        unattributedDrops.increment();
    }

    /** Options of an {@link NvspServer}. Not thread-safe. */
    public static final class Builder {
        private final VolumePool pool;
        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private int port = DEFAULT_PORT;
        private int maxDatagram = MAX_DATAGRAM;
        private int workers = Math.max(2, Runtime.getRuntime().availableProcessors());
        private int credits = DEFAULT_CREDITS;
        private Duration keepAlive = DEFAULT_KEEP_ALIVE;
        private final Map<Long, Integer> shares = new HashMap<>();
        private final Map<Long, long[]> limits = new HashMap<>();
        private boolean closePoolOnClose;
        private int maxIoBytes = DEFAULT_MAX_IO_BYTES;
        /** The budget set, 0 for the default (grown to what the workers need). */
        private long bufferBudget;
        private int maxSessions = DEFAULT_MAX_SESSIONS;
        private int maxSessionsPerClient = DEFAULT_MAX_SESSIONS_PER_CLIENT;

        private Builder(VolumePool pool) {
            this.pool = pool;
        }

        /**
         * The address to listen on; loopback unless set.
         *
         * @param address a local address
         * @return this builder
         */
        public Builder bindAddress(InetAddress address) {
            this.bindAddress = Objects.requireNonNull(address, "address");
            return this;
        }

        /**
         * The UDP port, 0 for one the system picks ({@link NvspServer#address()} tells).
         *
         * @param port 0 to 65535
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder port(int port) {
            this.port = checked(port, 0, 0xFFFF, "port");
            return this;
        }

        /**
         * The largest datagram the server accepts in the negotiation: ACCEPT fixes the smallest
         * of this, the client's proposal and 65,507 (the largest UDP payload over IPv4).
         *
         * @param bytes {@value FrameHeader#MIN_DATAGRAM} to {@value #MAX_DATAGRAM}
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder maxDatagram(int bytes) {
            this.maxDatagram = checked(bytes, FrameHeader.MIN_DATAGRAM, MAX_DATAGRAM, "maximum datagram");
            return this;
        }

        /**
         * The threads that execute requests; the default is the number of cores, at least 2.
         *
         * @param count 1 to 256
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder workers(int count) {
            this.workers = checked(count, 1, 256, "worker count");
            return this;
        }

        /**
         * The requests a session may have in flight; beyond them a client gets NO_CREDIT. The
         * duplicate cache remembers four times as many request ids.
         *
         * @param count 1 to 4096
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder credits(int count) {
            this.credits = checked(count, 1, 4096, "credits");
            return this;
        }

        /**
         * The keep-alive period told to clients (in whole seconds, at least 1); a session expires
         * after three periods without a datagram. Periods below a second are for tests: the
         * server expires sessions after three of them, clients are told 1 s.
         *
         * @param period 100 ms to 65,535 s
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder keepAlive(Duration period) {
            Objects.requireNonNull(period, "period");
            if (period.compareTo(Duration.ofMillis(100)) < 0 || period.compareTo(Duration.ofSeconds(0xFFFF)) > 0) {
                throw new IllegalArgumentException("keep-alive " + period + " is not from 100 ms to 65535 s");
            }
            this.keepAlive = period;
            return this;
        }

        /**
         * A client's fairness weight: it moves {@code weight} times the bytes of a weight-1
         * client when both are busy. Overrides the client's {@value ClientKeys#SHARE} attribute.
         *
         * @param clientId the pool's client id
         * @param weight 1 to 1000
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder clientShare(long clientId, int weight) {
            shares.put(clientId, checked(weight, 1, 1000, "share"));
            return this;
        }

        /**
         * Caps a client's requests and data bytes per second (0: no cap). Overrides its
         * {@value ClientKeys#IOPS} and {@value ClientKeys#BANDWIDTH} attributes.
         *
         * @param clientId the pool's client id
         * @param iops requests a second, 0 for no cap
         * @param bytesPerSecond data bytes a second, 0 for no cap
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder clientLimit(long clientId, long iops, long bytesPerSecond) {
            if (iops < 0 || bytesPerSecond < 0) {
                throw new IllegalArgumentException("limits " + iops + " IOPS, " + bytesPerSecond
                        + " bytes/s: caps are not negative (0 is none)");
            }
            limits.put(clientId, new long[] {iops, bytesPerSecond});
            return this;
        }

        /**
         * The most sessions open at once ({@value #DEFAULT_MAX_SESSIONS} unless set); a new one
         * beyond them closes the session heard from least recently. Each costs about
         * {@code credits} x 2.2 KiB.
         *
         * @param count 1 to 1,000,000
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder maxSessions(int count) {
            this.maxSessions = checked(count, 1, 1_000_000, "maximum sessions");
            return this;
        }

        /**
         * The most sessions one client may have open at once
         * ({@value #DEFAULT_MAX_SESSIONS_PER_CLIENT} unless set); a new one beyond them closes
         * the client's oldest. All sessions of a client share its fair share and caps.
         *
         * @param count 1 to 1024
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder maxSessionsPerClient(int count) {
            this.maxSessionsPerClient = checked(count, 1, 1024, "maximum sessions per client");
            return this;
        }

        /**
         * Whether {@link NvspServer#close()} closes the pool too; false unless set.
         *
         * @param close true to close the pool with the server
         * @return this builder
         */
        public Builder closePoolOnClose(boolean close) {
            this.closePoolOnClose = close;
            return this;
        }

        /**
         * The largest READ or WRITE; larger READs are answered READ_RESPONSE/EINVAL, WRITEs
         * whose message is longer than a message buffer ({@code bytes} + 64) ERROR/EINVAL.
         *
         * @param bytes 4 KiB to 16 MiB
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder maxIoBytes(int bytes) {
            this.maxIoBytes = checked(bytes, 4 << 10, 16 << 20, "maximum I/O size");
            return this;
        }

        /**
         * The memory for whole messages, in buffers of {@code maxIoBytes} + 64 bytes, all on the
         * heap (the JVM's heap must hold them): a quarter are reassembly slots for fragmented
         * requests, the rest buffers for WRITEs being executed, each worker's response and
         * READ_RESPONSEs kept for NACKs. Unless set: 32 MiB, or what the workers need if more.
         * {@link #build()} refuses a budget too small for two buffers per worker plus eight and
         * eight slots.
         *
         * @param bytes the budget
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder bufferBudget(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("buffer budget " + bytes + " bytes is not positive");
            }
            this.bufferBudget = bytes;
            return this;
        }

        /**
         * Builds the server, not started yet.
         *
         * @return the server
         * @throws IllegalArgumentException if the buffer budget set is too small for the workers
         */
        public NvspServer build() {
            long minimum = minimumBudget(workers, bufferSize(maxIoBytes));
            if (bufferBudget > 0 && bufferBudget < minimum) {
                throw new IllegalArgumentException("buffer budget " + bufferBudget + " bytes is too small for "
                        + workers + " workers with messages of up to " + maxIoBytes + " bytes: at least " + minimum
                        + " bytes");
            }
            return new NvspServer(this);
        }

        private static int checked(int value, int min, int max, String what) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(what + " " + value + " is not from " + min + " to " + max);
            }
            return value;
        }
    }
}

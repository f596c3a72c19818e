package io.coems.nvsp.client;

/**
 * A client of an NVSP server: one authenticated session over UDP, renewed by itself when the
 * server restarts or shuts down and comes back, on which {@link RemoteVolume}s read and write
 * like local volumes and a {@link ManagementClient} manages the server's pool.
 *
 * <pre>{@code
 * ClientOptions options = ClientOptions.builder(new InetSocketAddress("10.0.0.1", 7420), clientId, psk).build();
 * try (NvspClient client = NvspClient.connect(options)) {
 *     RemoteVolume disk = client.volume(volumeId);
 *     disk.write(4096, data);
 *     disk.read(0, buffer);
 * }
 * }</pre>
 *
 * <p>Thread-safe: any number of threads call one client at once; their requests share the
 * session's credits. One receive thread per client (a daemon named {@code nvsp-client
 * <server>}) dispatches responses and drives retransmissions, NACKs and keep-alives.
 * Memory is bounded: about 130 KiB per request in flight (at most
 * {@link ClientOptions#maxInFlight()}) and as much again for reassembling responses.
 */
public final class NvspClient implements AutoCloseable {
    private final Connection connection;
    private final Pipeline pipeline;
    private final ManagementClient management;

    private NvspClient(Connection connection) {
        this.connection = connection;
        this.pipeline = new Pipeline(connection);
        this.management = new ManagementClient(pipeline);
    }

    /**
     * Connects: runs the handshake (HELLO, COOKIE, AUTHENTICATE, ACCEPT) and verifies the
     * server's proof.
     *
     * @param options the server, identity and settings
     * @return the connected client
     * @throws RemoteTimeoutException if the server did not complete the handshake within the
     *     request timeout (also what a wrong client id or key looks like: the server drops the
     *     AUTHENTICATE without answering)
     * @throws RemoteException if the server refused the handshake (such as
     *     {@code UNSUPPORTED_VERSION}) or fixed a protection weaker than asked
     * @throws RemoteIoException if the socket cannot be opened
     */
    public static NvspClient connect(ClientOptions options) {
        if (options == null) {
            throw new RemoteArgumentException("options must not be null");
        }
        return new NvspClient(Connection.open(options));
    }

    /**
     * Returns a handle on a volume; sends nothing.
     *
     * @param volumeId the volume's id on the server
     * @return the handle
     */
    public RemoteVolume volume(long volumeId) {
        return new RemoteVolume(volumeId, pipeline);
    }

    /**
     * Returns the management operations; the one instance of this client, which keeps the
     * lease token.
     *
     * @return the management client
     */
    public ManagementClient management() {
        return management;
    }

    /**
     * Returns the client's counters and round-trip estimate.
     *
     * @return a snapshot
     */
    public ClientStats stats() {
        return connection.stats();
    }

    /**
     * Returns the current session's id.
     *
     * @return the id ACCEPT assigned, 0 while a new session is being negotiated or after close
     */
    public long sessionId() {
        Session session = connection.session();
        return session == null ? 0 : session.id();
    }

    /**
     * Returns the maximum datagram size of the current session.
     *
     * @return the size ACCEPT fixed, 0 while a new session is being negotiated or after close
     */
    public int maxDatagram() {
        Session session = connection.session();
        return session == null ? 0 : session.maxDatagram();
    }

    /**
     * Returns the options the client was connected with.
     *
     * @return the options
     */
    public ClientOptions options() {
        return connection.options();
    }

    /**
     * Closes the client: calls waiting fail with {@link RemoteClosedException}, CLOSE is sent
     * and its answer awaited briefly (at most 1 s), the receive thread stops and the socket is
     * closed. Idempotent.
     */
    @Override
    public void close() {
        connection.close();
    }

    @Override
    public String toString() {
        return "NVSP client of " + connection.options().server() + " session 0x" + Long.toHexString(sessionId());
    }
}

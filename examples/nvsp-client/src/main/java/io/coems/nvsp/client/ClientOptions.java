package io.coems.nvsp.client;

import io.coems.nvsp.SecurityMode;
import io.coems.nvsp.crypto.SessionKeys;
import io.coems.nvsp.frame.FrameHeader;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * How an {@link NvspClient} connects: the server, the client's identity and pre-shared key, and
 * the transport settings. Immutable; built with {@link #builder}. Every setter checks its value
 * and throws {@link RemoteArgumentException} naming it.
 */
public final class ClientOptions {
    /** The smallest datagram a client proposes: the minimum every IPv4 host must accept. */
    public static final int MIN_DATAGRAM = 576;
    /**
     * The largest datagram: the largest UDP payload IPv4 carries (65,535 bytes less the IP and
     * UDP headers). The frame length field would allow 65,535, which no IPv4 socket sends.
     */
    public static final int MAX_DATAGRAM = 65_507;
    /** Default request timeout. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** Longest request timeout. */
    public static final Duration MAX_REQUEST_TIMEOUT = Duration.ofDays(1);
    /** Default bound on the requests in flight, whatever credits the server grants. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 32;
    /** Largest bound on the requests in flight. */
    public static final int MAX_IN_FLIGHT = 1024;

    private final InetSocketAddress server;
    private final long clientId;
    private final byte[] psk;
    private final int maxDatagram;
    private final SecurityMode securityMode;
    private final Duration requestTimeout;
    private final int maxInFlight;

    private ClientOptions(Builder builder) {
        this.server = builder.server;
        this.clientId = builder.clientId;
        this.psk = builder.psk.clone();
        this.maxDatagram = builder.maxDatagram;
        this.securityMode = builder.securityMode;
        this.requestTimeout = builder.requestTimeout;
        this.maxInFlight = builder.maxInFlight;
    }

    /**
     * Starts options for a server and a client identity.
     *
     * @param server the server's address, resolved
     * @param clientId the id the server registered this client under
     * @param psk the client's {@value SessionKeys#PSK_LENGTH}-byte pre-shared key (copied)
     * @return a builder with the defaults
     * @throws RemoteArgumentException if the address is null or unresolved, or the key is null
     *     or not {@value SessionKeys#PSK_LENGTH} bytes
     */
    public static Builder builder(InetSocketAddress server, long clientId, byte[] psk) {
        if (server == null || server.isUnresolved()) {
            throw new RemoteArgumentException("the server address " + server + " is not a resolved address");
        }
        if (psk == null || psk.length != SessionKeys.PSK_LENGTH) {
            throw new RemoteArgumentException("the pre-shared key must be " + SessionKeys.PSK_LENGTH
                    + " bytes, not " + (psk == null ? "null" : psk.length + " bytes"));
        }
        return new Builder(server, clientId, psk.clone());
    }

    /**
     * Returns the server's address.
     *
     * @return the address
     */
    public InetSocketAddress server() {
        return server;
    }

    /**
     * Returns the client id.
     *
     * @return the id the server registered this client under
     */
    public long clientId() {
        return clientId;
    }

    /**
     * Returns the pre-shared key.
     *
     * @return a copy of the key
     */
    public byte[] psk() {
        return psk.clone();
    }

    /** Returns the key without copying, for the handshake. */
    byte[] pskForHandshake() {
        return psk;
    }

    /**
     * Returns the largest datagram the client proposes in HELLO.
     *
     * @return the size in bytes
     */
    public int maxDatagram() {
        return maxDatagram;
    }

    /**
     * Returns the protection the client asks for.
     *
     * @return the mode
     */
    public SecurityMode securityMode() {
        return securityMode;
    }

    /**
     * Returns how long one request may take, retransmissions included.
     *
     * @return the timeout
     */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /**
     * Returns how many requests the client keeps in flight at most, whatever the server grants.
     *
     * @return the bound
     */
    public int maxInFlight() {
        return maxInFlight;
    }

    @Override
    public String toString() {
        return "server=" + server + " client=" + Long.toUnsignedString(clientId) + " maxDatagram=" + maxDatagram
                + " mode=" + securityMode + " requestTimeout=" + requestTimeout + " maxInFlight=" + maxInFlight;
    }

    /** Builds {@link ClientOptions}; not thread-safe. */
    public static final class Builder {
        private final InetSocketAddress server;
        private final long clientId;
        private final byte[] psk;
        private int maxDatagram = FrameHeader.DEFAULT_MAX_DATAGRAM;
        private SecurityMode securityMode = SecurityMode.ENCRYPTED;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;

        private Builder(InetSocketAddress server, long clientId, byte[] psk) {
            this.server = server;
            this.clientId = clientId;
            this.psk = psk;
        }

        /**
         * Sets the largest datagram proposed in HELLO; ACCEPT fixes the smaller of both
         * sides'. Default {@link FrameHeader#DEFAULT_MAX_DATAGRAM}.
         *
         * @param bytes {@value #MIN_DATAGRAM} to {@value #MAX_DATAGRAM}
         * @return this builder
         */
        public Builder maxDatagram(int bytes) {
            if (bytes < MIN_DATAGRAM || bytes > MAX_DATAGRAM) {
                throw new RemoteArgumentException("maxDatagram " + bytes + " is outside "
                        + MIN_DATAGRAM + ".." + MAX_DATAGRAM);
            }
            this.maxDatagram = bytes;
            return this;
        }

        /**
         * Sets the protection asked for. Default {@link SecurityMode#ENCRYPTED}; a server that
         * answers with weaker protection than asked is refused.
         *
         * @param mode the mode
         * @return this builder
         */
        public Builder securityMode(SecurityMode mode) {
            if (mode == null) {
                throw new RemoteArgumentException("the security mode must not be null");
            }
            this.securityMode = mode;
            return this;
        }

        /**
         * Sets how long one request may take, retransmissions and waiting for a credit
         * included, before it fails with {@link RemoteTimeoutException}; also bounds the
         * handshake of {@link NvspClient#connect}. Default 30 s.
         *
         * @param timeout positive, at most {@link #MAX_REQUEST_TIMEOUT}
         * @return this builder
         */
        public Builder requestTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_REQUEST_TIMEOUT) > 0) {
                throw new RemoteArgumentException("the request timeout " + timeout + " is outside (0 s, "
                        + MAX_REQUEST_TIMEOUT + "]");
            }
            this.requestTimeout = timeout;
            return this;
        }

        /**
         * Sets how many requests the client keeps in flight at most (each holds about 130 KiB
         * of buffers while in use); the server's credits may allow fewer. Default
         * {@value #DEFAULT_MAX_IN_FLIGHT}.
         *
         * @param requests 1 to {@value #MAX_IN_FLIGHT}
         * @return this builder
         */
        public Builder maxInFlight(int requests) {
            if (requests < 1 || requests > MAX_IN_FLIGHT) {
                throw new RemoteArgumentException("maxInFlight " + requests + " is outside 1.." + MAX_IN_FLIGHT);
            }
            this.maxInFlight = requests;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the immutable options
         */
        public ClientOptions build() {
            return new ClientOptions(this);
        }
    }
}

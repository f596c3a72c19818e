package io.coems.nvsp.server;

import io.coems.nvsp.SecurityMode;
import io.coems.nvsp.Status;
import io.coems.nvsp.crypto.Direction;
import io.coems.nvsp.crypto.Handshake;
import io.coems.nvsp.crypto.Opener;
import io.coems.nvsp.crypto.Sealer;
import io.coems.nvsp.crypto.SessionKeys;
import io.coems.nvsp.frame.Fragmenter;
import io.coems.nvsp.frame.FrameHeader;
import io.coems.nvsp.frame.Reassembler;
import io.coems.nvsp.message.Accept;
import io.coems.nvsp.message.Authenticate;
import io.coems.nvsp.message.BlockRequest;
import io.coems.nvsp.message.Cookie;
import io.coems.nvsp.message.Hello;
import io.coems.nvsp.message.ManagementRequest;
import io.coems.nvsp.message.MessageHeader;
import io.coems.nvsp.message.MessageType;
import io.coems.nvsp.message.Nack;
import io.coems.nvsp.message.WriteRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.IntPredicate;
import java.util.function.UnaryOperator;

/**
 * Test-only raw NVSP peer built from the codec: runs the handshake step by step (so tests can
 * spoil any step), then seals, fragments and sends request messages and opens, reassembles and
 * returns the server's datagrams and messages. Messages are plain byte arrays built with the
 * codec's flyweights.
 */
final class RawPeer implements AutoCloseable {
    static final int TIMEOUT_MILLIS = 2000;

    private static final SecureRandom RANDOM = new SecureRandom();

    private DatagramSocket socket;
    private final InetSocketAddress server;
    private final long clientId;
    private final int maxDatagram;
    private final FrameHeader frame = new FrameHeader();
    private final Reassembler reassembler = new Reassembler(16, 16, 1 << 20, 4096, 5_000_000_000L);
    private final ArrayDeque<Datagram> pending = new ArrayDeque<>();
    private long sessionId;
    private long credits;
    private SessionKeys keys;
    private Sealer sealer;
    private Opener opener;
    private Fragmenter fragmenter;
    private long nextRequestId = 1;
    private long clock;
    private final byte[] receiveBuffer = new byte[65536];

    /**
     * A datagram the server sent, opened.
     *
     * @param sessionId its session id
     * @param requestId its request id
     * @param fragmentIndex its fragment index
     * @param fragmentCount its fragment count
     * @param fragmentOffset where its payload goes in the message
     * @param credits the credits it grants
     * @param sealed whether it was protected
     * @param payload its payload, decrypted
     */
    record Datagram(long sessionId, long requestId, int fragmentIndex, int fragmentCount, long fragmentOffset,
            long credits, boolean sealed,
            byte[] payload) {
    }

    RawPeer(InetSocketAddress server, long clientId, int maxDatagram) {
        this.server = server;
        this.clientId = clientId;
        this.maxDatagram = maxDatagram;
        this.socket = openSocket();
    }

    private DatagramSocket openSocket() {
        try {
            DatagramSocket opened = new DatagramSocket(new InetSocketAddress(server.getAddress(), 0));
            opened.setSoTimeout(TIMEOUT_MILLIS);
            opened.setReceiveBufferSize(4 << 20);
            return opened;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Goes on with the same session from a new local port, as a client behind a rebinding NAT (or a spoofer) would. */
    void moveToNewPort() {
        socket.close();
        socket = openSocket();
    }

    /** A peer that has completed the handshake with {@code psk}. */
    static RawPeer connected(InetSocketAddress server, long clientId, byte[] psk) {
        RawPeer peer = new RawPeer(server, clientId, 1408);
        if (!peer.handshake(psk, SecurityMode.ENCRYPTED).isPresent()) {
            throw new AssertionError("the server did not accept client " + clientId);
        }
        return peer;
    }

    long sessionId() {
        return sessionId;
    }

    long credits() {
        return credits;
    }

    int localPort() {
        return socket.getLocalPort();
    }

    // ------------------------------------------------------------------ handshake

    /** HELLO and COOKIE, then AUTHENTICATE with {@code psk}; the ACCEPT, or empty if none came. */
    Optional<Accept> handshake(byte[] psk, SecurityMode mode) {
        byte[] nonce = new byte[Hello.NONCE_LENGTH];
        RANDOM.nextBytes(nonce);
        byte[] cookie = cookie(nonce);
        return authenticate(psk, mode, nonce, authenticate(psk, mode, nonce, cookie, UnaryOperator.identity()));
    }

    /** Sends HELLO, returns the cookie of the COOKIE answer. */
    byte[] cookie(byte[] nonce) {
        byte[] hello = new byte[Layouts.HELLO];
        new Hello().encode(MemorySegment.ofArray(hello), 0, hello.length, MessageType.HELLO).versions(1, 1)
                .maxDatagram(maxDatagram).securityMode(SecurityMode.ENCRYPTED).clientId(clientId).putClientNonce(nonce);
        sendPlain(hello, 0);
        Datagram answer = receive();
        if (answer == null) {
            throw new AssertionError("no COOKIE");
        }
        Cookie cookie = new Cookie().wrap(MemorySegment.ofArray(answer.payload()), 0, answer.payload().length);
        byte[] bytes = new byte[Cookie.COOKIE_LENGTH];
        cookie.cookie(bytes);
        return bytes;
    }

    /** An AUTHENTICATE message signed with {@code psk}, then changed by {@code spoil}. */
    byte[] authenticate(byte[] psk, SecurityMode mode, byte[] nonce, byte[] cookie, UnaryOperator<byte[]> spoil) {
        byte[] message = new byte[Layouts.AUTHENTICATE];
        Authenticate authenticate = new Authenticate().encode(MemorySegment.ofArray(message), 0, message.length,
                MessageType.AUTHENTICATE).version(1).versions(1, 1).maxDatagram(maxDatagram).securityMode(mode)
                .clientId(clientId).putClientNonce(nonce).putCookie(cookie);
        Handshake.sign(psk, authenticate);
        return spoil.apply(message);
    }

    /** Sends AUTHENTICATE; on ACCEPT verifies the server proof and derives the session keys. */
    Optional<Accept> authenticate(byte[] psk, SecurityMode mode, byte[] nonce, byte[] message) {
        sendPlain(message, 0);
        Datagram answer = receive();
        if (answer == null) {
            return Optional.empty();
        }
        Accept accept = new Accept().wrap(MemorySegment.ofArray(answer.payload()), 0, answer.payload().length);
        Authenticate authenticate = new Authenticate().wrap(MemorySegment.ofArray(message), 0, message.length);
        Handshake.verify(psk, authenticate, accept);
        keys = Handshake.keys(psk, authenticate, accept);
        sessionId = accept.sessionId();
        credits = accept.credits();
        sealer = keys.sealer(Direction.CLIENT_TO_SERVER, accept.securityMode());
        opener = keys.opener(Direction.SERVER_TO_CLIENT, accept.securityMode());
        fragmenter = new Fragmenter(accept.maxDatagram(), true);
        return Optional.of(accept);
    }

    /** Sends a message unprotected, as a handshake datagram or with a made-up session id. */
    void sendPlain(byte[] message, long session) {
        byte[] datagram = new byte[FrameHeader.LENGTH + message.length];
        frame.encode(MemorySegment.ofArray(datagram), 0, datagram.length).sessionId(session).sequence(1)
                .requestId(nextRequestId++).payloadLength(message.length);
        System.arraycopy(message, 0, datagram, FrameHeader.LENGTH, message.length);
        sendRaw(datagram);
    }

    void sendRaw(byte[] datagram) {
        try {
            socket.send(new DatagramPacket(datagram, datagram.length, server));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ session traffic

    /** A new request id. */
    long nextRequestId() {
        return nextRequestId++;
    }

    /** Sends a request with a new id and returns the whole response, or null after the timeout. */
    byte[] call(byte[] message) {
        long requestId = nextRequestId();
        send(requestId, message);
        return response(requestId);
    }

    /** Sends every fragment of a message. */
    void send(long requestId, byte[] message) {
        sendFragments(requestId, message, i -> true);
    }

    /** Sends the fragments {@code which} accepts. */
    void sendFragments(long requestId, byte[] message, IntPredicate which) {
        int count = fragmenter.fragmentCount(message.length);
        for (int i = 0; i < count; i++) {
            if (which.test(i)) {
                sendRaw(sealedFragment(requestId, message, i));
            }
        }
    }

    /**
     * Sends fragment {@code index} of a message sealed under a fresh sequence, then spoiled by a
     * flipped payload byte, so it passes the replay window and fails its tag: a forgery.
     */
    void sendForgedFragment(long requestId, byte[] message, int index) {
        byte[] datagram = sealedFragment(requestId, message, index);
        datagram[FrameHeader.LENGTH + 10] ^= 1;
        sendRaw(datagram);
    }

    private byte[] sealedFragment(long requestId, byte[] message, int index) {
        byte[] datagram = new byte[maxDatagram];
        MemorySegment segment = MemorySegment.ofArray(datagram);
        frame.encode(segment, 0, datagram.length).sessionId(sessionId).requestId(requestId).credits(credits);
        fragmenter.writeFragment(frame, MemorySegment.ofArray(message), 0, message.length, index);
        int length = sealer.seal(frame);
        return Arrays.copyOf(datagram, length);
    }

    /** Seals and sends one fragment with the given geometry, right or wrong. */
    void sendFragment(long requestId, int index, int count, long offset, byte[] payload) {
        byte[] datagram = new byte[FrameHeader.LENGTH + payload.length + FrameHeader.TAG_LENGTH];
        frame.encode(MemorySegment.ofArray(datagram), 0, datagram.length).sessionId(sessionId).requestId(requestId)
                .fragment(index, count, offset).payloadLength(payload.length);
        System.arraycopy(payload, 0, datagram, FrameHeader.LENGTH, payload.length);
        sendRaw(Arrays.copyOf(datagram, sealer.seal(frame)));
    }

    /** Waits at most {@code millis} for each datagram from now on. */
    void timeout(int millis) {
        try {
            socket.setSoTimeout(millis);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next datagram, opened if protected, or null after the timeout. */
    Datagram receive() {
        if (!pending.isEmpty()) {
            return pending.pollFirst();
        }
        byte[] buffer = receiveBuffer;
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        MemorySegment segment = MemorySegment.ofArray(buffer);
        frame.wrap(segment, 0, packet.getLength());
        boolean sealed = frame.flags() != 0;
        if (sealed) {
            opener.open(frame);
        }
        return new Datagram(frame.sessionId(), frame.requestId(), frame.fragmentIndex(), frame.fragmentCount(),
                frame.fragmentOffset(), frame.credits(), sealed, Arrays.copyOfRange(buffer, FrameHeader.LENGTH,
                        FrameHeader.LENGTH + frame.payloadLength()));
    }

    /** Puts a datagram back, to be returned by the next {@link #receive()}. */
    void unread(Datagram datagram) {
        pending.addLast(datagram);
    }

    /**
     * The whole message answering {@code requestId}, reassembled; other datagrams meanwhile are
     * dropped. Null after the timeout.
     */
    byte[] response(long requestId) {
        for (Datagram datagram = receive(); datagram != null; datagram = receive()) {
            if (datagram.requestId() != requestId) {
                continue;
            }
            if (datagram.fragmentCount() == 1) {
                return datagram.payload();
            }
            byte[] whole = reassemble(datagram);
            if (whole != null) {
                return whole;
            }
        }
        return null;
    }

    /** Adds a fragment; the whole message once complete. */
    byte[] reassemble(Datagram datagram) {
        byte[] bytes = new byte[FrameHeader.LENGTH + datagram.payload().length];
        MemorySegment segment = MemorySegment.ofArray(bytes);
        frame.encode(segment, 0, bytes.length).sessionId(datagram.sessionId()).requestId(datagram.requestId())
                .fragment(datagram.fragmentIndex(), datagram.fragmentCount(), datagram.fragmentOffset())
                .payloadLength(datagram.payload().length);
        System.arraycopy(datagram.payload(), 0, bytes, FrameHeader.LENGTH, datagram.payload().length);
        if (reassembler.accept(frame, ++clock) != Reassembler.Outcome.COMPLETE) {
            return null;
        }
        try {
            return reassembler.message().asSlice(0, reassembler.messageLength()).toArray(ValueLayout.JAVA_BYTE);
        } finally {
            reassembler.release();
        }
    }

    int maxPayload() {
        return fragmenter.maxPayload();
    }

    @Override
    public void close() {
        socket.close();
    }

    // ------------------------------------------------------------------ messages

    /** Encoded sizes of the fixed messages. */
    static final class Layouts {
        static final int HELLO = 4 + Hello.BLOCK_LENGTH;
        static final int AUTHENTICATE = 4 + Authenticate.BLOCK_LENGTH;
        static final int BLOCK = 4 + BlockRequest.BLOCK_LENGTH;

        private Layouts() {
        }
    }

    static byte[] block(MessageType type, long volume, long offset, long length, long flags) {
        byte[] message = new byte[Layouts.BLOCK];
        new BlockRequest().encode(MemorySegment.ofArray(message), 0, message.length, type).volumeId(volume)
                .volumeOffset(offset).length(length).flags(flags);
        return message;
    }

    static byte[] read(long volume, long offset, long length) {
        return block(MessageType.READ, volume, offset, length, 0);
    }

    static byte[] write(long volume, long offset, byte[] data, long flags) {
        byte[] message = new byte[4 + WriteRequest.BLOCK_LENGTH + data.length];
        new WriteRequest().encode(MemorySegment.ofArray(message), 0, message.length, MessageType.WRITE)
                .volumeId(volume).volumeOffset(offset).flags(flags).data()
                .put(MemorySegment.ofArray(data), 0, data.length);
        return message;
    }

    static byte[] management(MessageType type, long token, long volume, long snapshot, long client, long argument,
            String name, byte[] secret) {
        byte[] message = new byte[4 + ManagementRequest.BLOCK_LENGTH + 600];
        ManagementRequest request = new ManagementRequest().encode(MemorySegment.ofArray(message), 0, message.length,
                type).fencingToken(token).volumeId(volume).snapshotId(snapshot).clientId(client).argument(argument);
        if (name != null) {
            request.name(name);
        }
        if (secret != null) {
            request.putSecret(secret);
        }
        return Arrays.copyOf(message, request.encodedLength());
    }

    static byte[] empty(MessageType type) {
        byte[] message = new byte[4];
        new MessageHeader().encode(MemorySegment.ofArray(message), 0, 4, type, 0);
        return message;
    }

    static byte[] nack(int fragmentCount, int... missing) {
        byte[] message = new byte[4 + Nack.BLOCK_LENGTH + (fragmentCount + 7) / 8];
        Nack nack = new Nack().encode(MemorySegment.ofArray(message), 0, message.length, MessageType.NACK)
                .fragmentCount(fragmentCount);
        for (int index : missing) {
            nack.missing(index);
        }
        return message;
    }

    /** The type of a message. */
    static MessageType type(byte[] message) {
        return MessageType.of(Short.toUnsignedInt(ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN).getShort(0)));
    }

    /** The status of a response: every response block starts with it. */
    static Status status(byte[] message) {
        return Status.of(Integer.toUnsignedLong(ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN).getInt(4)));
    }
}

package io.coems.nvsp.client;

import io.coems.nvsp.NvspException;
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
import io.coems.nvsp.message.BlockStatusResponse;
import io.coems.nvsp.message.Cookie;
import io.coems.nvsp.message.Hello;
import io.coems.nvsp.message.ManagementRequest;
import io.coems.nvsp.message.ManagementResponse;
import io.coems.nvsp.message.MessageHeader;
import io.coems.nvsp.message.MessageType;
import io.coems.nvsp.message.Nack;
import io.coems.nvsp.message.RangeRequest;
import io.coems.nvsp.message.ReadResponse;
import io.coems.nvsp.message.StatusResponse;
import io.coems.nvsp.message.WriteRequest;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A scripted NVSP server for the client's tests: one UDP channel on loopback, the server side of
 * the handshake with the codec, a volume of bytes in memory (id {@link #VOLUME}), a small
 * in-memory management model with two entries per list page, a duplicate-request cache and
 * credits (an id {@code 4 x credits} or more below the highest seen is answered STALE_REQUEST). Hooks drop, duplicate, delay, corrupt or truncate chosen datagrams, hold responses,
 * answer chosen requests with a status, forget sessions (a restart: later datagrams of them are
 * answered with an unprotected UNKNOWN_SESSION) or shut down with CLOSE.
 * Everything it receives and resends is logged in {@link #events()}.
 *
 * <p>A receive thread decodes and answers; one sender thread fragments, seals and sends, so each
 * session has one sealer and one opener. Shared state is guarded by this object.
 */
final class FakeServer implements AutoCloseable {
    static final long CLIENT_ID = 42;
    static final long VOLUME = 1;
    static final int VOLUME_SIZE = 8 << 20;
    static final int LIST_PAGE = 2;
    static final int EXTENTS_PER_RESPONSE = 16;
    static final long NACK_GAP_MILLIS = 20;

    /** What the hooks do with a datagram. */
    /**
     * What becomes of a datagram. FORGED_COPY: sent, then a copy under a fresh sequence (so the
     * replay window lets it through to the tag, which fails), as a forger on the path would.
     */
    enum Fate { PASS, DROP, DUPLICATE, DELAY, CORRUPT, TRUNCATE, FORGED_COPY }

    /**
     * A datagram as the hooks see it.
     *
     * @param outbound true for server to client
     * @param requestId the frame's request id
     * @param type the message type, null for a fragment other than the first of a request
     * @param fragment the fragment index
     * @param fragments the fragment count
     * @param copy how often this fragment of this request id was seen before in this direction
     */
    record Packet(boolean outbound, long requestId, MessageType type, int fragment, int fragments, int copy) {
    }

    /**
     * Something the server received or did.
     *
     * @param kind "request", "duplicate", "nack", "resent", "close", "close-response", "keepalive",
     *     "no-credit", "stale", "eshutdown", "unknown-session", "hello"
     * @param requestId the request id
     * @param type the message type, if known
     * @param detail more, such as the NACKed fragments
     */
    record Event(String kind, long requestId, MessageType type, String detail) {
    }

    private static final byte[] SECRET = new byte[32];

    final byte[] volume = new byte[VOLUME_SIZE];
    private final byte[] psk;
    private final DatagramChannel channel;
    private final Thread receiver;
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("fake-server-send").factory());
    private final Map<Long, ServerSession> sessions = new HashMap<>();
    /** Sessions forgotten: only a CLOSE_RESPONSE is still recognised, the rest is unknown. */
    private final Map<Long, ServerSession> closed = new HashMap<>();
    private final List<Event> events = new ArrayList<>();
    private final Map<Long, Integer> copies = new HashMap<>();
    private final List<Runnable> held = new ArrayList<>();
    private final Management management = new Management();

    private volatile Function<Packet, Fate> inbound = p -> Fate.PASS;
    private volatile Function<Packet, Fate> outbound = p -> Fate.PASS;
    private volatile Function<BlockRequest, Status> blockStatus = r -> null;
    private volatile long credits = 8;
    private volatile int keepAliveSeconds = 10;
    private volatile int maxDatagram = 0xFFFF;
    private volatile long responseDelayMillis;
    private volatile Function<BlockRequest, Long> answerDelayMillis = r -> 0L;
    private volatile boolean hold;
    private volatile boolean badProof;
    private volatile boolean draining;
    private volatile Status refusalFirst;
    private volatile boolean dropAcceptingCookies;
    private int handshakeFailures;
    private int datagramsReceived;
    private int maxPending;
    private int flushes;

    /** One session: its keys, one opener (receive thread), one sealer (sender thread). */
    private static final class ServerSession {
        final long id;
        final InetSocketAddress client;
        final SessionKeys keys;
        final SecurityMode mode;
        final Opener opener;
        final Sealer sealer;
        final Fragmenter fragmenter;
        final byte[] clientNonce;
        final byte[] accept;
        final Map<Long, byte[]> cache = new LinkedHashMap<>();
        final Map<Long, Long> lastFragmentNanos = new HashMap<>();
        final Set<Long> pendingIds = new HashSet<>();
        int pending;
        long highestId;
        long lastSequence;
        long lastRequestId;

        ServerSession(long id, InetSocketAddress client, SessionKeys keys, SecurityMode mode, int maxDatagram,
                byte[] clientNonce, byte[] accept) {
            this.id = id;
            this.client = client;
            this.keys = keys;
            this.mode = mode;
            this.opener = keys.opener(Direction.CLIENT_TO_SERVER, mode);
            this.sealer = keys.sealer(Direction.SERVER_TO_CLIENT, mode);
            this.fragmenter = new Fragmenter(maxDatagram, true);
            this.clientNonce = clientNonce;
            this.accept = accept;
        }
    }

    FakeServer(byte[] psk) throws IOException {
        this.psk = psk.clone();
        channel = DatagramChannel.open();
        channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        receiver = Thread.ofPlatform().daemon().name("fake-server-receive").start(this::receiveLoop);
    }

    static byte[] psk() {
        byte[] key = new byte[SessionKeys.PSK_LENGTH];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) i;
        }
        return key;
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    ClientOptions.Builder options() throws IOException {
        return ClientOptions.builder(address(), CLIENT_ID, psk());
    }

    // ---- hooks and settings --------------------------------------------------------------

    void inbound(Function<Packet, Fate> hook) {
        inbound = hook;
    }

    void outbound(Function<Packet, Fate> hook) {
        outbound = hook;
    }

    /** Answers block requests for which the function gives a status with that status. */
    void blockStatus(Function<BlockRequest, Status> answer) {
        blockStatus = answer;
    }

    void credits(long value) {
        credits = value;
    }

    void keepAliveSeconds(int seconds) {
        keepAliveSeconds = seconds;
    }

    void maxDatagram(int bytes) {
        maxDatagram = bytes;
    }

    void responseDelayMillis(long millis) {
        responseDelayMillis = millis;
    }

    /** Delays the answers to chosen block requests (a WRITE is shown as a READ of its range). */
    void delayAnswers(Function<BlockRequest, Long> millis) {
        answerDelayMillis = millis;
    }

    void badProof(boolean value) {
        badProof = value;
    }

    /** Sends no accepting COOKIE any more (only a {@link #refusalFirst} one, if set). */
    void dropAcceptingCookies(boolean value) {
        dropAcceptingCookies = value;
    }

    /** Answers every HELLO first with a COOKIE of this status (as a forger would), then as usual. */
    void refusalFirst(Status status) {
        refusalFirst = status;
    }

    /** Holds every response from now on until {@link #releaseHeld()}. */
    synchronized void hold() {
        hold = true;
    }

    synchronized int heldCount() {
        return held.size();
    }

    synchronized void releaseHeld() {
        hold = false;
        held.forEach(sender::execute);
        held.clear();
    }

    /**
     * Starts a graceful shutdown: handshakes are dropped and new requests answered
     * ERROR/ESHUTDOWN, while requests executing are still answered; {@link #restart()} ends it.
     */
    void drain() {
        draining = true;
    }

    /** Forgets every session and held response, as a restarted server would. */
    synchronized void restart() {
        closed.putAll(sessions);
        sessions.clear();
        held.clear();
        hold = false;
        draining = false;
    }

    /** Sends CLOSE with a reason to every session, then forgets them unless the reason is OK. */
    synchronized void closeSessions(Status reason) {
        for (ServerSession session : List.copyOf(sessions.values())) {
            byte[] close = encode(s -> new StatusResponse().encode(s, 0, 64, MessageType.CLOSE).status(reason)
                    .encodedLength());
            sendLater(session, 1L << 40, close, 0);
        }
        if (reason != Status.OK) {
            sender.execute(this::restart);
        }
    }

    /**
     * Sends every session's client an unprotected ERROR/UNKNOWN_SESSION while the session lives
     * on, as a forger would.
     *
     * @param echoLast whether it echoes the sequence and request id of the last datagram the
     *     session received (a forger on the path), or made-up ones (a blind forger)
     */
    synchronized void forgeUnknownSession(boolean echoLast) {
        byte[] error = status(MessageType.ERROR, Status.UNKNOWN_SESSION);
        for (ServerSession session : sessions.values()) {
            sendUnprotected(session.client, session.id, echoLast ? session.lastRequestId : 77_777,
                    echoLast ? session.lastSequence : 1 << 20, error);
        }
    }

    // ---- observations --------------------------------------------------------------------

    synchronized List<Event> events() {
        return List.copyOf(events);
    }

    synchronized List<Event> events(String kind) {
        return events.stream().filter(e -> e.kind().equals(kind)).toList();
    }

    synchronized int handshakeFailures() {
        return handshakeFailures;
    }

    synchronized int datagramsReceived() {
        return datagramsReceived;
    }

    synchronized int sessionCount() {
        return sessions.size();
    }

    /** Returns how many requests are executed but not yet answered now. */
    synchronized int pendingCount() {
        return sessions.values().stream().mapToInt(s -> s.pending).sum();
    }

    /** Returns the most requests ever executed but not yet answered at once. */
    synchronized int maxPending() {
        return maxPending;
    }

    synchronized int flushes() {
        return flushes;
    }

    Management management() {
        return management;
    }

    @Override
    public void close() throws IOException {
        channel.close();
        sender.shutdownNow();
        try {
            receiver.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- receiving -----------------------------------------------------------------------

    private void receiveLoop() {
        ByteBuffer buffer = ByteBuffer.allocate(0x10000);
        MemorySegment segment = MemorySegment.ofBuffer(buffer);
        FrameHeader frame = new FrameHeader();
        Reassembler reassembler = new Reassembler(64, 64, Call.MAX_MESSAGE, 0xFFFF, TimeUnit.SECONDS.toNanos(2));
        try {
            channel.socket().setSoTimeout(10);
        } catch (IOException e) {
            return;
        }
        while (channel.isOpen()) {
            buffer.clear();
            InetSocketAddress from;
            try {
                from = receiveWithTimeout(buffer);
            } catch (IOException e) {
                return;
            }
            synchronized (this) {
                nackIncomplete(reassembler);
                if (from != null) {
                    datagramsReceived++;
                    try {
                        handle(frame.wrap(segment, 0, buffer.position()), from, reassembler);
                    } catch (NvspException e) {
                        events.add(new Event("rejected", frame.requestId(), null, e.getMessage()));
                    }
                }
            }
        }
    }

    private InetSocketAddress receiveWithTimeout(ByteBuffer buffer) throws IOException {
        DatagramPacket packet = new DatagramPacket(buffer.array(), buffer.capacity());
        try {
            channel.socket().receive(packet);
        } catch (SocketTimeoutException e) {
            return null;
        }
        buffer.position(packet.getLength());
        return (InetSocketAddress) packet.getSocketAddress();
    }

    private void handle(FrameHeader frame, InetSocketAddress from, Reassembler reassembler) {
        MemorySegment segment = frame.segment();
        if (frame.flags() == 0) {
            handshake(frame, from);
            return;
        }
        ServerSession session = sessions.get(frame.sessionId());
        if (session == null && isCloseResponse(closed.get(frame.sessionId()), frame)) {
            events.add(new Event("close-response", frame.requestId(), MessageType.CLOSE_RESPONSE, "after the close"));
            return;
        }
        if (session == null) {
            events.add(new Event("unknown-session", frame.requestId(), null, ""));
            byte[] error = encode(s -> new StatusResponse().encode(s, 0, 64, MessageType.ERROR)
                    .status(Status.UNKNOWN_SESSION).encodedLength());
            sendUnprotected(from, frame.sessionId(), frame.requestId(), frame.sequence(), error);
            return;
        }
        try {
            session.opener.open(frame);
        } catch (NvspException e) {
            events.add(new Event("forged", frame.requestId(), null, e.getMessage()));
            return;
        }
        session.lastSequence = frame.sequence();
        session.lastRequestId = frame.requestId();
        MessageType type = frame.fragmentIndex() == 0
                ? new MessageHeader().wrap(segment, frame.payloadOffset(), frame.payloadLength()).type() : null;
        Packet packet = new Packet(false, frame.requestId(), type, frame.fragmentIndex(), frame.fragmentCount(),
                copy(false, frame.requestId(), frame.fragmentIndex()));
        if (inbound.apply(packet) == Fate.DROP) {
            events.add(new Event("dropped-in", frame.requestId(), type, "fragment " + frame.fragmentIndex()));
            return;
        }
        if (frame.fragmentCount() == 1) {
            request(session, frame.requestId(), segment, frame.payloadOffset(), frame.payloadLength());
            return;
        }
        switch (reassembler.accept(frame, System.nanoTime())) {
            case COMPLETE -> {
                session.lastFragmentNanos.remove(frame.requestId());
                try {
                    request(session, frame.requestId(), reassembler.message(), 0, reassembler.messageLength());
                } finally {
                    reassembler.release();
                }
            }
            case INCOMPLETE -> session.lastFragmentNanos.put(frame.requestId(), System.nanoTime());
            default -> { }
        }
    }

    private static boolean isCloseResponse(ServerSession forgotten, FrameHeader frame) {
        if (forgotten == null) {
            return false;
        }
        try {
            forgotten.opener.open(frame);
        } catch (NvspException e) {
            return false;
        }
        return new MessageHeader().wrap(frame.segment(), frame.payloadOffset(), frame.payloadLength()).type()
                == MessageType.CLOSE_RESPONSE;
    }

    /** NACKs requests whose fragments stopped coming {@value #NACK_GAP_MILLIS} ms ago. */
    private void nackIncomplete(Reassembler reassembler) {
        long now = System.nanoTime();
        for (ServerSession session : sessions.values()) {
            for (Map.Entry<Long, Long> entry : List.copyOf(session.lastFragmentNanos.entrySet())) {
                if (now - entry.getValue() < TimeUnit.MILLISECONDS.toNanos(NACK_GAP_MILLIS)) {
                    continue;
                }
                session.lastFragmentNanos.put(entry.getKey(), now);
                byte[] message = new byte[1024];
                Nack nack = new Nack().encode(MemorySegment.ofArray(message), 0, message.length, MessageType.NACK);
                if (reassembler.nack(session.id, entry.getKey(), nack)) {
                    events.add(new Event("nack-out", entry.getKey(), MessageType.NACK, missing(nack)));
                    sendLater(session, entry.getKey(), Arrays.copyOf(message, nack.encodedLength()), 0);
                } else {
                    session.lastFragmentNanos.remove(entry.getKey());
                }
            }
        }
    }

    private void handshake(FrameHeader frame, InetSocketAddress from) {
        if (draining) {
            return;
        }
        MemorySegment segment = frame.segment();
        long offset = frame.payloadOffset();
        int length = frame.payloadLength();
        MessageType type = new MessageHeader().wrap(segment, offset, length).type();
        if (type == MessageType.HELLO) {
            events.add(new Event("hello", frame.requestId(), type, Long.toUnsignedString(frame.sequence())));
            Status refusal = refusalFirst;
            if (refusal != null) {
                sendUnprotected(from, 0, frame.requestId(), frame.sequence(), encode(s -> new Cookie()
                        .encode(s, 0, 128, MessageType.COOKIE).status(refusal).version(FrameHeader.VERSION)
                        .putCookie(new byte[Cookie.COOKIE_LENGTH]).encodedLength()));
            }
            if (dropAcceptingCookies) {
                return;
            }
            Hello hello = new Hello().wrap(segment, offset, length);
            byte[] cookie = Handshake.cookie(SECRET, address(from), 0, hello, FrameHeader.VERSION);
            byte[] answer = encode(s -> new Cookie().encode(s, 0, 128, MessageType.COOKIE).status(Status.OK)
                    .version(FrameHeader.VERSION).putCookie(cookie).encodedLength());
            sendUnprotected(from, 0, frame.requestId(), frame.sequence(), answer);
        } else if (type == MessageType.AUTHENTICATE) {
            Authenticate authenticate = new Authenticate().wrap(segment, offset, length);
            try {
                Handshake.verifyCookie(SECRET, address(from), 0, authenticate);
                Handshake.verify(psk, authenticate);
            } catch (NvspException e) {
                handshakeFailures++;
                return;
            }
            byte[] nonce = new byte[Hello.NONCE_LENGTH];
            authenticate.clientNonce(nonce);
            for (ServerSession session : sessions.values()) {
                if (Arrays.equals(session.clientNonce, nonce)) {
                    sendUnprotected(from, 0, frame.requestId(), frame.sequence(), session.accept);
                    return;
                }
            }
            accept(frame, from, authenticate, nonce);
        }
    }

    private void accept(FrameHeader frame, InetSocketAddress from, Authenticate authenticate, byte[] clientNonce) {
        long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        byte[] serverNonce = new byte[Hello.NONCE_LENGTH];
        ThreadLocalRandom.current().nextBytes(serverNonce);
        int datagram = Math.min(authenticate.maxDatagram(), maxDatagram);
        byte[] message = new byte[256];
        Accept accept = new Accept().encode(MemorySegment.ofArray(message), 0, message.length, MessageType.ACCEPT)
                .status(Status.OK).version(FrameHeader.VERSION).maxDatagram(datagram)
                .securityMode(authenticate.securityMode()).keepAliveSeconds(keepAliveSeconds).credits(credits)
                .sessionId(id).putServerNonce(serverNonce);
        Handshake.sign(psk, authenticate, accept);
        if (badProof) {
            accept.putProof(new byte[Authenticate.PROOF_LENGTH]);
        }
        byte[] encoded = Arrays.copyOf(message, accept.encodedLength());
        ServerSession session = new ServerSession(id, from, Handshake.keys(psk, authenticate, accept),
                authenticate.securityMode(), datagram, clientNonce, encoded);
        sessions.put(id, session);
        sendUnprotected(from, 0, frame.requestId(), frame.sequence(), encoded);
    }

    private void request(ServerSession session, long requestId, MemorySegment segment, long offset, int length) {
        MessageType type = new MessageHeader().wrap(segment, offset, length).type();
        switch (type) {
            case KEEPALIVE -> {
                events.add(new Event("keepalive", requestId, type, ""));
                sendLater(session, requestId, status(MessageType.KEEPALIVE_RESPONSE, Status.OK), 0);
            }
            case CLOSE -> {
                events.add(new Event("close", requestId, type, ""));
                sendLater(session, requestId, status(MessageType.CLOSE_RESPONSE, Status.OK), 0);
                sessions.remove(session.id);
            }
            case CLOSE_RESPONSE -> events.add(new Event("close-response", requestId, type, ""));
            case NACK -> {
                Nack nack = new Nack().wrap(segment, offset, length);
                events.add(new Event("nack", requestId, type, missing(nack)));
                byte[] response = session.cache.get(requestId);
                if (response != null) {
                    for (int i = 0; i < nack.fragmentCount(); i++) {
                        if (nack.isMissing(i)) {
                            events.add(new Event("resent", requestId, null, Integer.toString(i)));
                            int fragment = i;
                            sender.execute(() -> sendFragment(session, requestId, response, fragment));
                        }
                    }
                }
            }
            default -> execute(session, requestId, type, segment, offset, length);
        }
    }

    private void execute(ServerSession session, long requestId, MessageType type, MemorySegment segment, long offset,
            int length) {
        if (session.pendingIds.contains(requestId)) {
            events.add(new Event("ignored", requestId, type, "being executed"));
            return;
        }
        byte[] cached = session.cache.get(requestId);
        if (cached != null) {
            events.add(new Event("duplicate", requestId, type, ""));
            sendLater(session, requestId, cached, 0);
            return;
        }
        if (draining) {
            events.add(new Event("eshutdown", requestId, type, ""));
            sendLater(session, requestId, status(MessageType.ERROR, Status.ESHUTDOWN), 0);
            return;
        }
        if (session.highestId - requestId >= credits * 4) {
            events.add(new Event("stale", requestId, type, "highest " + session.highestId));
            sendLater(session, requestId, status(MessageType.ERROR, Status.STALE_REQUEST), 0);
            return;
        }
        session.highestId = Math.max(session.highestId, requestId);
        BlockRequest view = blockView(type, segment, offset, length);
        Status forced = view == null ? null : blockStatus.apply(view);
        long delay = view == null ? responseDelayMillis : Math.max(responseDelayMillis, answerDelayMillis.apply(view));
        if (forced == Status.NO_CREDIT || session.pending >= credits) {
            events.add(new Event("no-credit", requestId, type, ""));
            sendLater(session, requestId, status(MessageType.ERROR, Status.NO_CREDIT), 0);
            return;
        }
        events.add(new Event("request", requestId, type, ""));
        byte[] response = forced != null ? status(MessageType.ERROR, forced) : answer(type, segment, offset, length);
        session.cache.put(requestId, response);
        if (session.cache.size() > credits * 4) {
            session.cache.remove(session.cache.keySet().iterator().next());
        }
        session.pending++;
        session.pendingIds.add(requestId);
        maxPending = Math.max(maxPending, session.pending);
        Runnable send = () -> {
            synchronized (this) {
                session.pending--;
                session.pendingIds.remove(requestId);
            }
            sendMessage(session, requestId, response);
        };
        if (hold) {
            held.add(send);
        } else {
            sender.schedule(send, delay, TimeUnit.MILLISECONDS);
        }
    }

    /** Shows a block request to the hooks as it is, a WRITE as a READ of its range; else null. */
    private static BlockRequest blockView(MessageType type, MemorySegment segment, long offset, int length) {
        return switch (type.layout()) {
            case BLOCK -> new BlockRequest().wrap(segment, offset, length);
            case WRITE -> {
                WriteRequest write = new WriteRequest().wrap(segment, offset, length);
                yield new BlockRequest().encode(MemorySegment.ofArray(new byte[64]), 0, 64, MessageType.READ)
                        .volumeId(write.volumeId()).volumeOffset(write.volumeOffset()).length(write.length());
            }
            default -> null;
        };
    }

    private byte[] answer(MessageType type, MemorySegment segment, long offset, int length) {
        return switch (type.layout()) {
            case BLOCK -> block(new BlockRequest().wrap(segment, offset, length));
            case WRITE -> write(new WriteRequest().wrap(segment, offset, length));
            case MANAGEMENT -> management.answer(new ManagementRequest().wrap(segment, offset, length));
            default -> status(MessageType.ERROR, Status.ENOTSUP);
        };
    }

    private byte[] block(BlockRequest request) {
        MessageType responseType = MessageType.of(request.type().code() | 0x8000);
        long start = request.volumeOffset();
        long end = start + request.length();
        if (request.type() != MessageType.FLUSH && (start > VOLUME_SIZE || end > VOLUME_SIZE)) {
            return status(MessageType.ERROR, Status.EOVERFLOW);
        }
        switch (request.type()) {
            case READ -> {
                byte[] message = new byte[(int) (64 + request.length())];
                ReadResponse read = new ReadResponse().encode(MemorySegment.ofArray(message), 0, message.length,
                        MessageType.READ_RESPONSE).status(Status.OK);
                read.data().put(MemorySegment.ofArray(volume), start, (int) request.length());
                return Arrays.copyOf(message, read.encodedLength());
            }
            case FLUSH -> flushes++;
            case TRIM, WRITE_ZEROES -> Arrays.fill(volume, (int) start, (int) end, (byte) 0);
            case BLOCK_STATUS -> {
                return extents(start, end);
            }
            default -> throw new IllegalArgumentException(request.type().toString());
        }
        return status(responseType, Status.OK);
    }

    /** Extents of 64 KiB blocks: zero blocks are holes; at most {@link #EXTENTS_PER_RESPONSE}. */
    private byte[] extents(long start, long end) {
        byte[] message = new byte[64 + 16 * EXTENTS_PER_RESPONSE];
        BlockStatusResponse response = new BlockStatusResponse().encode(MemorySegment.ofArray(message), 0,
                message.length, MessageType.BLOCK_STATUS_RESPONSE).status(Status.OK);
        for (long at = start; at < end && response.entryCount() < EXTENTS_PER_RESPONSE; ) {
            long next = Math.min(end, (at / 65536 + 1) * 65536);
            boolean zero = true;
            for (long i = at; i < next && zero; i++) {
                zero = volume[(int) i] == 0;
            }
            response.addExtent(at, next - at, zero ? BlockStatusResponse.STATE_HOLE | BlockStatusResponse.STATE_ZERO : 0);
            at = next;
        }
        return Arrays.copyOf(message, response.encodedLength());
    }

    private byte[] write(WriteRequest request) {
        try {
            request.data().verify();
        } catch (NvspException e) {
            return status(MessageType.WRITE_RESPONSE, Status.EIO);
        }
        long start = request.volumeOffset();
        if (start + request.length() > VOLUME_SIZE) {
            return status(MessageType.WRITE_RESPONSE, Status.EOVERFLOW);
        }
        request.data().copyTo(MemorySegment.ofArray(volume), start);
        return status(MessageType.WRITE_RESPONSE, Status.OK);
    }

    static byte[] status(MessageType type, Status status) {
        return encode(s -> new StatusResponse().encode(s, 0, 64, type).status(status).encodedLength());
    }

    private static byte[] encode(Function<MemorySegment, Integer> encoder) {
        byte[] buffer = new byte[1024];
        return Arrays.copyOf(buffer, encoder.apply(MemorySegment.ofArray(buffer)));
    }

    private static String missing(Nack nack) {
        List<Integer> indices = new ArrayList<>();
        for (int i = 0; i < nack.fragmentCount(); i++) {
            if (nack.isMissing(i)) {
                indices.add(i);
            }
        }
        return indices.toString();
    }

    private static byte[] address(InetSocketAddress from) {
        byte[] ip = from.getAddress().getAddress();
        byte[] bytes = Arrays.copyOf(ip, ip.length + 2);
        bytes[ip.length] = (byte) (from.getPort() >> 8);
        bytes[ip.length + 1] = (byte) from.getPort();
        return bytes;
    }

    private int copy(boolean out, long requestId, int fragment) {
        long key = (requestId << 17) ^ ((long) fragment << 1) ^ (out ? 1 : 0);
        return copies.merge(key, 1, Integer::sum) - 1;
    }

    // ---- sending (sender thread) ---------------------------------------------------------

    private void sendLater(ServerSession session, long requestId, byte[] message, long delayMillis) {
        sender.schedule(() -> sendMessage(session, requestId, message), delayMillis, TimeUnit.MILLISECONDS);
    }

    private void sendMessage(ServerSession session, long requestId, byte[] message) {
        for (int i = 0, n = session.fragmenter.fragmentCount(message.length); i < n; i++) {
            sendFragment(session, requestId, message, i);
        }
    }

    private void sendFragment(ServerSession session, long requestId, byte[] message, int index) {
        ByteBuffer datagram = ByteBuffer.allocate(0x10000);
        FrameHeader frame = new FrameHeader().encode(MemorySegment.ofBuffer(datagram), 0, 0x10000)
                .sessionId(session.id).requestId(requestId).credits(credits);
        int fragments = session.fragmenter.writeFragment(frame, MemorySegment.ofArray(message), 0, message.length,
                index);
        int length = session.sealer.seal(frame);
        MessageType type = index == 0 ? new MessageHeader().wrap(MemorySegment.ofArray(message), 0, message.length)
                .type() : null;
        int count = session.fragmenter.fragmentCount(message.length);
        int seen;
        synchronized (this) {
            seen = copy(true, requestId, index);
        }
        Fate fate = outbound.apply(new Packet(true, requestId, type, index, count, seen));
        datagram.limit(length);
        switch (fate) {
            case PASS -> send(datagram, session.client);
            case DROP -> { }
            case DUPLICATE -> {
                send(datagram.duplicate(), session.client);
                send(datagram, session.client);
            }
            case DELAY -> sender.schedule(() -> send(datagram, session.client), 30, TimeUnit.MILLISECONDS);
            case CORRUPT -> {
                datagram.put(length - 20, (byte) (datagram.get(length - 20) ^ 0x40));
                send(datagram, session.client);
            }
            case TRUNCATE -> send(datagram.limit(Math.max(fragments / 2, 20)), session.client);
            case FORGED_COPY -> {
                ByteBuffer forged = ByteBuffer.allocate(length).put(datagram.duplicate()).flip();
                FrameHeader copy = new FrameHeader().wrap(forged, 0, length);
                copy.sequence(copy.sequence() + 1_000_000);
                send(datagram, session.client);
                send(forged, session.client);
            }
        }
    }

    private void sendUnprotected(InetSocketAddress to, long sessionId, long requestId, long sequence, byte[] message) {
        ByteBuffer datagram = ByteBuffer.allocate(FrameHeader.LENGTH + message.length);
        FrameHeader frame = new FrameHeader().encode(MemorySegment.ofBuffer(datagram), 0, datagram.capacity())
                .sessionId(sessionId).requestId(requestId).sequence(sequence).payloadLength(message.length);
        MemorySegment.copy(MemorySegment.ofArray(message), 0, frame.segment(), frame.payloadOffset(), message.length);
        sender.execute(() -> send(datagram, to));
    }

    private void send(ByteBuffer datagram, InetSocketAddress to) {
        try {
            channel.send(datagram, to);
        } catch (IOException e) {
            // closed while sending: the test is over
        }
    }

    /** The management model: volumes, snapshots, clients, the lease; lists in pages of two. */
    final class Management {
        private final TreeMap<Long, long[]> volumes = new TreeMap<>();
        private final TreeMap<Long, long[]> snapshots = new TreeMap<>();
        private final TreeMap<Long, long[]> clients = new TreeMap<>();
        private final Map<Long, String> names = new HashMap<>();
        private long nextId = 100;
        private long token;

        synchronized String name(long id) {
            return names.get(id);
        }

        synchronized long[] volume(long id) {
            return volumes.get(id);
        }

        synchronized long[] client(long id) {
            return clients.get(id);
        }

        synchronized long token() {
            return token;
        }

        synchronized byte[] answer(ManagementRequest request) {
            MessageType type = MessageType.of(request.type().code() | 0x8000);
            byte[] message = new byte[1024];
            ManagementResponse response = new ManagementResponse().encode(MemorySegment.ofArray(message), 0,
                    message.length, type).status(Status.OK);
            Status status = execute(request, response);
            if (status != Status.OK) {
                return status(MessageType.ERROR, status);
            }
            return Arrays.copyOf(message, response.encodedLength());
        }

        private Status execute(ManagementRequest request, ManagementResponse response) {
            long now = System.currentTimeMillis();
            if (request.type() == MessageType.ACQUIRE_LEASE) {
                if (token != 0) {
                    return Status.LEASE_HELD;
                }
                token = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
                response.resultId(token).resultValue(now + request.argument());
                return Status.OK;
            }
            if (token == 0 || request.fencingToken() != token) {
                return Status.STALE_FENCING_TOKEN;
            }
            switch (request.type()) {
                case RENEW_LEASE -> response.resultValue(now + request.argument());
                case RELEASE_LEASE -> token = 0;
                case LIST_VOLUMES -> page(volumes, request.argument(), response);
                case LIST_CLIENTS -> page(clients, request.argument(), response);
                case LIST_HISTORY -> {
                    TreeMap<Long, long[]> history = new TreeMap<>();
                    snapshots.forEach((id, s) -> {
                        if (s[3] == request.volumeId()) {
                            history.put(id, s);
                        }
                    });
                    page(history, request.argument(), response);
                }
                case CREATE_VOLUME, CLONE -> {
                    if (names.containsValue(request.name())) {
                        return Status.EXISTS;
                    }
                    long origin = request.type() == MessageType.CLONE ? request.snapshotId() : 0;
                    if (origin != 0 && !snapshots.containsKey(origin)) {
                        return Status.NO_SUCH_SNAPSHOT;
                    }
                    long size = origin != 0 ? snapshots.get(origin)[0] : request.argument();
                    response.resultId(add(volumes, request.name(), size, origin, now, 0));
                }
                case DELETE_VOLUME -> {
                    if (volumes.remove(request.volumeId()) == null) {
                        return Status.NO_SUCH_VOLUME;
                    }
                }
                case RESIZE_VOLUME -> {
                    if (!volumes.containsKey(request.volumeId())) {
                        return Status.NO_SUCH_VOLUME;
                    }
                    volumes.get(request.volumeId())[0] = request.argument();
                }
                case SNAPSHOT -> {
                    long[] v = volumes.get(request.volumeId());
                    if (v == null) {
                        return Status.NO_SUCH_VOLUME;
                    }
                    response.resultId(add(snapshots, request.name(), v[0], 0, now, request.volumeId()));
                }
                case REVERT -> {
                    if (!volumes.containsKey(request.volumeId())) {
                        return Status.NO_SUCH_VOLUME;
                    }
                    if (!snapshots.containsKey(request.snapshotId())) {
                        return Status.NO_SUCH_SNAPSHOT;
                    }
                }
                case DELETE_SNAPSHOT -> {
                    if (snapshots.remove(request.snapshotId()) == null) {
                        return Status.NO_SUCH_SNAPSHOT;
                    }
                }
                case REGISTER_CLIENT -> response.resultId(add(clients, request.name(), 0, 0, now, 0));
                case REMOVE_CLIENT -> {
                    if (clients.remove(request.clientId()) == null) {
                        return Status.NO_SUCH_CLIENT;
                    }
                }
                case ASSIGN_VOLUME -> {
                    if (!volumes.containsKey(request.volumeId())) {
                        return Status.NO_SUCH_VOLUME;
                    }
                    if (!clients.containsKey(request.clientId())) {
                        return Status.NO_SUCH_CLIENT;
                    }
                    clients.get(request.clientId())[1] = request.volumeId();
                }
                default -> {
                    return Status.ENOTSUP;
                }
            }
            return Status.OK;
        }

        /** Adds an entry {size, parent, time, owner}; returns its id. */
        private long add(TreeMap<Long, long[]> table, String name, long size, long parent, long time, long owner) {
            long id = nextId++;
            table.put(id, new long[] {size, parent, time, owner});
            names.put(id, name);
            return id;
        }

        private void page(TreeMap<Long, long[]> table, long cursor, ManagementResponse response) {
            List<Long> ids = new ArrayList<>(table.tailMap(cursor, false).keySet());
            for (long id : ids.subList(0, Math.min(LIST_PAGE, ids.size()))) {
                long[] e = table.get(id);
                response.addEntry(id, e[0], e[1], e[2]);
            }
            response.resultValue(ids.size() > LIST_PAGE ? ids.get(LIST_PAGE - 1) : 0);
        }
    }
}

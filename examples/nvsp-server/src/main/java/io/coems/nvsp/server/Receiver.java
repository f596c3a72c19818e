package io.coems.nvsp.server;

import io.coems.nvsp.AuthenticationException;
import io.coems.nvsp.MalformedMessageException;
import io.coems.nvsp.NvspException;
import io.coems.nvsp.ReplayException;
import io.coems.nvsp.SecurityMode;
import io.coems.nvsp.Status;
import io.coems.nvsp.UnsupportedMessageTypeException;
import io.coems.nvsp.crypto.Handshake;
import io.coems.nvsp.crypto.SessionKeys;
import io.coems.nvsp.frame.FrameHeader;
import io.coems.nvsp.frame.Reassembler;
import io.coems.nvsp.message.Accept;
import io.coems.nvsp.message.Authenticate;
import io.coems.nvsp.message.BlockRequest;
import io.coems.nvsp.message.Cookie;
import io.coems.nvsp.message.Hello;
import io.coems.nvsp.message.MessageHeader;
import io.coems.nvsp.message.MessageType;
import io.coems.nvsp.message.Nack;
import io.coems.nvsp.message.StatusResponse;
import io.coems.vvm.Client;
import io.coems.vvm.PoolException;
import io.coems.vvm.PoolNotFoundException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import io.coems.nvsp.transport.DatagramPort;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receive thread: reads every datagram, answers the handshake statelessly until
 * AUTHENTICATE, authenticates and decrypts session datagrams, reassembles fragmented requests
 * (with NACKs after a gap), answers KEEPALIVE, CLOSE (once the session's running requests are
 * answered; its queued ones are dropped) and the client's NACKs, filters duplicates
 * through each session's cache, enforces credits and queues the requests for the workers.
 * Between datagrams it runs the timers: NACKs due, expired reassembly slots, sessions silent
 * for three keep-alive periods, and sessions whose client lost the key they were opened with
 * (changed, revoked, or the client removed). It owns the session table. Nothing it does for a
 * datagram it accepts allocates beyond what the JDK does (the handshake does, once per
 * session); a dropped or refused one builds its log detail, and the timers copy the session
 * list once a pass.
 */
final class Receiver implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Receiver.class);
    /**
     * The most datagrams read before the timers run again: more than the socket buffer holds,
     * so a burst is read whole first and fragments waiting there never make a NACK fire.
     */
    private static final int BATCH = 1 << 14;
    private static final long UNKNOWN_SESSION_ANSWERS_PER_SECOND = 100;
    private static final long REASSEMBLY_TIMEOUT_NANOS = 2_000_000_000L;

    private final NvspServer server;
    private final DatagramPort port;
    private final Scheduler scheduler;
    private final BufferPool buffers;
    private final CookieJar cookies;
    private final Transmitter transmitter;
    private final ByteBuffer received;
    private final MemorySegment receivedSegment;
    private final FrameHeader frame = new FrameHeader();
    private final MessageHeader header = new MessageHeader();
    private final Hello hello = new Hello();
    private final Cookie cookie = new Cookie();
    private final Authenticate authenticate = new Authenticate();
    private final Accept accept = new Accept();
    private final StatusResponse status = new StatusResponse();
    private final BlockRequest block = new BlockRequest();
    private final Nack nack = new Nack();
    private final Reassembler reassembler;
    private final NackTimer nackTimer;
    private final NackTimer.Sender nackSender = this::sendNack;
    private final SessionTable sessions = new SessionTable();
    private final Map<HandshakeKey, Session> byHandshake = new HashMap<>();
    private final TokenBucket unknownSessionAnswers;
    private final HelloLimiter helloLimiter;
    private final SecureRandom random = new SecureRandom();
    private final long silenceNanos;
    private final long expiryPeriodNanos;
    private long nextExpiryNanos;
    private volatile boolean running = true;
    private volatile boolean draining;

    /**
     * A client and its nonce: the key of an AUTHENTICATE, to answer a repeat with the same ACCEPT.
     *
     * @param clientId the client
     * @param nonceHigh the first 8 bytes of its nonce
     * @param nonceLow the last 8 bytes of its nonce
     */
    record HandshakeKey(long clientId, long nonceHigh, long nonceLow) {
    }

    /**
     * Creates the receive loop.
     *
     * @param server the server, for its configuration, pool and counters
     * @param port the bound socket
     * @param scheduler where requests go
     * @param buffers the large buffers
     * @param cookies the handshake cookies
     */
    Receiver(NvspServer server, DatagramPort port, Scheduler scheduler, BufferPool buffers, CookieJar cookies) {
        this.server = server;
        this.port = port;
        this.scheduler = scheduler;
        this.buffers = buffers;
        this.cookies = cookies;
        this.transmitter = new Transmitter(port, 0, 0);
        this.received = ByteBuffer.allocate(DatagramPort.RECEIVE_CAPACITY);
        this.receivedSegment = MemorySegment.ofBuffer(received);
        int slots = server.reassemblySlots();
        int maxFragments = Math.min(0xFFFF,
                Math.ceilDiv(buffers.bufferSize(), FrameHeader.MIN_DATAGRAM - FrameHeader.LENGTH - FrameHeader.TAG_LENGTH));
        this.reassembler = new Reassembler(slots, slots / 4, buffers.bufferSize(), maxFragments,
                REASSEMBLY_TIMEOUT_NANOS);
        this.nackTimer = new NackTimer(slots);
        this.unknownSessionAnswers = new TokenBucket(UNKNOWN_SESSION_ANSWERS_PER_SECOND, System.nanoTime());
        this.helloLimiter = new HelloLimiter(System.nanoTime());
        this.silenceNanos = 3 * server.keepAlive().toNanos();
        this.expiryPeriodNanos = Math.min(1_000_000_000L, Math.max(10_000_000L, server.keepAlive().toNanos() / 4));
    }

    @Override
    public void run() {
        nextExpiryNanos = System.nanoTime() + expiryPeriodNanos;
        while (running) {
            try {
                long waitNanos = timers(System.nanoTime());
                port.await(Math.max(1, Math.ceilDiv(waitNanos, 1_000_000L)));
                for (int i = 0; i < BATCH && running; i++) {
                    received.clear();
                    int length = port.receive(received);
                    if (length == 0) {
                        break;
                    }
                    handleBatch(port.sender(), length, port.segmentSize(), System.nanoTime());
                }
            } catch (IOException e) {
                if (running) {
                    LOG.error("the NVSP receive loop stops: {}", e.toString());
                }
                return;
            } catch (RuntimeException e) {
                LOG.error("the NVSP receive loop failed on a datagram; it goes on", e);
            }
        }
    }

    /**
     * From now on new handshakes are dropped and new request ids answered ESHUTDOWN; a copy of a
     * request being executed is still ignored and one already answered gets its cached answer.
     */
    void drain() {
        draining = true;
    }

    /** Ends the loop; {@link #sessions()} may be read once the thread has ended. */
    void stop() {
        running = false;
        port.wakeup();
    }

    /** The sessions; only once the receive thread has ended. */
    List<Session> sessions() {
        return sessions.all();
    }

    /** Handles the datagrams of one batch (one datagram unless the port coalesced several). */
    private void handleBatch(InetSocketAddress from, int length, int segmentSize, long now) {
        for (int at = 0; at < length && running; at += segmentSize) {
            handle(from, at, Math.min(segmentSize, length - at), now);
        }
    }

    private void handle(InetSocketAddress from, int at, int length, long now) {
        try {
            frame.wrap(receivedSegment, at, length);
        } catch (NvspException e) {
            server.unattributedDrop();
            LOG.trace("dropped a datagram from {}: {}", from, e.getMessage());
            return;
        }
        long sessionId = frame.sessionId();
        if (sessionId == 0) {
            handshake(from, now);
            return;
        }
        Session session = sessions.get(sessionId);
        if (session == null || !from.equals(session.address())) {
            // from elsewhere the session does not exist: a client whose address changed runs a new handshake
            unknownSession(from, now);
            return;
        }
        if (frame.fragmentCount() > 1 && openIntoSlot(session, from, now)) {
            return;
        }
        if (!open(session, from, null, 0)) {
            return;
        }
        session.heard(now);
        if (frame.fragmentCount() > 1) {
            fragment(session, now);
        } else {
            message(session, frame.requestId(), receivedSegment, frame.payloadOffset(), frame.payloadLength(), now);
        }
    }

    // ------------------------------------------------------------------ handshake

    private void handshake(InetSocketAddress from, long now) {
        try {
            if (frame.flags() != 0 || frame.fragmentCount() != 1 || draining) {
                server.unattributedDrop();
                return;
            }
            MessageType type = header.wrap(receivedSegment, frame.payloadOffset(), frame.payloadLength()).type();
            switch (type) {
                case HELLO -> {
                    if (helloLimiter.allow(from.getAddress(), now)) {
                        hello(from);
                    } else {
                        server.unattributedDrop();
                    }
                }
                case AUTHENTICATE -> authenticate(from);
                default -> server.unattributedDrop();
            }
        } catch (NvspException e) {
            server.unattributedDrop();
            LOG.debug("dropped a handshake datagram from {}: {}", from, e.getMessage());
        }
    }

    /**
     * Answers HELLO with a cookie, whatever the client id: dropping HELLOs of unknown clients
     * would tell an attacker which ids exist. Keeps no state; the caller rate-limits it.
     */
    private void hello(InetSocketAddress from) {
        hello.wrap(receivedSegment, frame.payloadOffset(), frame.payloadLength());
        hello.securityMode(); // checks the mode: a HELLO with an unknown one is malformed and dropped
        boolean supported = hello.minVersion() <= FrameHeader.VERSION && FrameHeader.VERSION <= hello.maxVersion();
        cookie.encode(transmitter.segment(), Transmitter.PAYLOAD, NvspServer.MAX_DATAGRAM - FrameHeader.LENGTH,
                MessageType.COOKIE);
        if (supported) {
            cookie.status(Status.OK).version(FrameHeader.VERSION)
                    .putCookie(cookies.cookie(from, hello, FrameHeader.VERSION));
        } else {
            cookie.status(Status.UNSUPPORTED_VERSION);
        }
        transmitter.sendPlain(from, 0, frame.sequence(), frame.requestId(), cookie.encodedLength());
    }

    private void authenticate(InetSocketAddress from) {
        authenticate.wrap(receivedSegment, frame.payloadOffset(), frame.payloadLength());
        long clientId = authenticate.clientId();
        try {
            cookies.verify(from, authenticate);
        } catch (AuthenticationException e) {
            handshakeFailed(from, clientId, "its cookie does not verify");
            return;
        }
        byte[] nonce = new byte[Hello.NONCE_LENGTH];
        authenticate.clientNonce(nonce);
        HandshakeKey key = new HandshakeKey(clientId, longAt(nonce, 0), longAt(nonce, 8));
        Session existing = byHandshake.get(key);
        if (existing != null) {
            MemorySegment.copy(MemorySegment.ofArray(existing.accept), 0, transmitter.segment(), Transmitter.PAYLOAD,
                    existing.accept.length);
            transmitter.sendPlain(from, 0, frame.sequence(), frame.requestId(), existing.accept.length);
            return;
        }
        Client client;
        try {
            client = server.pool().clients().client(clientId);
        } catch (PoolException e) {
            handshakeFailed(from, clientId, "no such client");
            return;
        }
        Optional<byte[]> psk = ClientKeys.key(client);
        if (psk.isEmpty()) {
            handshakeFailed(from, clientId, "the client has no valid " + ClientKeys.PSK + " attribute");
            return;
        }
        try {
            Handshake.verify(psk.get(), authenticate);
        } catch (AuthenticationException e) {
            handshakeFailed(from, clientId, "its proof does not verify (wrong key)");
            return;
        }
        int maxDatagram = Math.min(Math.min(authenticate.maxDatagram(), server.maxDatagram()), FrameHeader.MAX_UDP_PAYLOAD);
        if (maxDatagram < FrameHeader.MIN_DATAGRAM || authenticate.version() != FrameHeader.VERSION) {
            handshakeFailed(from, clientId, "maximum datagram " + authenticate.maxDatagram() + " or version "
                    + authenticate.version() + " is not acceptable");
            return;
        }
        open(from, client, psk.get(), key, maxDatagram, authenticate.securityMode());
    }

    private void open(InetSocketAddress from, Client client, byte[] psk, HandshakeKey key, int maxDatagram,
            SecurityMode mode) {
        long requested = frame.credits();
        int credits = requested > 0 && requested < server.credits() ? (int) requested : server.credits();
        long sessionId = newSessionId();
        byte[] serverNonce = new byte[Hello.NONCE_LENGTH];
        random.nextBytes(serverNonce);
        accept.encode(transmitter.segment(), Transmitter.PAYLOAD, NvspServer.MAX_DATAGRAM - FrameHeader.LENGTH,
                MessageType.ACCEPT).status(Status.OK).version(FrameHeader.VERSION).maxDatagram(maxDatagram)
                .securityMode(mode).keepAliveSeconds(server.keepAliveSeconds()).credits(credits).sessionId(sessionId)
                .putServerNonce(serverNonce);
        Handshake.sign(psk, authenticate, accept);
        SessionKeys keys = Handshake.keys(psk, authenticate, accept);
        byte[] acceptBytes = new byte[accept.encodedLength()];
        MemorySegment.copy(transmitter.segment(), Transmitter.PAYLOAD, MemorySegment.ofArray(acceptBytes), 0,
                acceptBytes.length);
        long now = System.nanoTime();
        makeRoom(client.id(), now);
        Session session = new Session(sessionId, server.clientState(client, now), keys,
                mode, maxDatagram, credits, acceptBytes, key, psk, from,
                server.senders(), now);
        sessions.put(session);
        byHandshake.put(key, session);
        server.sessionOpened();
        transmitter.sendPlain(from, 0, frame.sequence(), frame.requestId(), acceptBytes.length);
        LOG.info("{} opened from {}: {}, datagrams up to {} bytes, {} credits{}", session, from, mode, maxDatagram,
                credits, ClientKeys.isManager(client) ? ", manager" : "");
    }

    /**
     * Before a client's new session opens: closes the client's oldest session if it has as many
     * as allowed, and the session heard from least recently if the server has as many as allowed,
     * so neither one client nor many bound the sessions' memory.
     */
    private void makeRoom(long clientId, long now) {
        List<Session> open = sessions.all();
        Session oldestOfClient = null;
        int ofClient = 0;
        for (Session session : open) {
            if (session.client.id() == clientId && ofClient++ == 0) {
                oldestOfClient = session;
            }
        }
        if (ofClient >= server.maxSessionsPerClient()) {
            close(oldestOfClient, "closed: the client opened more than " + server.maxSessionsPerClient() + " sessions");
            open.remove(oldestOfClient);
        }
        if (open.size() >= server.maxSessions()) {
            Session quietest = open.getFirst();
            for (Session session : open) {
                if (session.lastHeardNanos() - quietest.lastHeardNanos() < 0) {
                    quietest = session;
                }
            }
            close(quietest, "closed after " + (now - quietest.lastHeardNanos()) / 1_000_000
                    + " ms of silence: the server has " + server.maxSessions() + " sessions");
        }
    }

    private long newSessionId() {
        long id;
        do {
            id = random.nextLong();
        } while (id == 0 || sessions.get(id) != null);
        return id;
    }

    private void handshakeFailed(InetSocketAddress from, long clientId, String why) {
        server.handshakeFailed();
        LOG.warn("dropped an AUTHENTICATE from {} for client {}: {}", from, Long.toUnsignedString(clientId), why);
    }

    private static long longAt(byte[] bytes, int at) {
        long value = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            value = value << 8 | (bytes[at + i] & 0xFF);
        }
        return value;
    }

    /** An unprotected ERROR/UNKNOWN_SESSION, rate-limited, tells a client to run a new handshake. */
    private void unknownSession(InetSocketAddress from, long now) {
        if (!unknownSessionAnswers.available(now)) {
            server.unattributedDrop();
            return;
        }
        unknownSessionAnswers.take(1);
        status.encode(transmitter.segment(), Transmitter.PAYLOAD, StatusResponse.BLOCK_LENGTH + 4, MessageType.ERROR)
                .status(Status.UNKNOWN_SESSION);
        server.unknownSessionAnswered();
        transmitter.sendPlain(from, frame.sessionId(), frame.sequence(), frame.requestId(), status.encodedLength());
    }

    // ------------------------------------------------------------------ session datagrams

    private void fragment(Session session, long now) {
        long requestId = frame.requestId();
        DuplicateCache.Verdict verdict = session.cache.peek(requestId);
        if (verdict != DuplicateCache.Verdict.NEW) {
            if (frame.fragmentIndex() == 0) {
                admitted(session, requestId, verdict);
            }
            return;
        }
        Reassembler.Outcome outcome;
        try {
            outcome = reassembler.accept(frame, session.client.id(), now); // one quota per client
        } catch (MalformedMessageException e) {
            malformed(session, requestId, e);
            return;
        }
        fragmentStored(session, requestId, outcome, now);
    }

    /**
     * Takes a new fragment of a new request: reserves its range in a reassembly slot, decrypts
     * it straight there and commits it, or abandons it (a slot it claimed is freed) if the
     * datagram fails. Anything else (a fragment of a request executing or answered, a duplicate,
     * no slot free, a malformed fragment) is left to the caller, to be opened in place first so
     * it is authenticated and counted as an unfragmented datagram.
     *
     * @return whether the datagram was taken (stored or dropped)
     */
    private boolean openIntoSlot(Session session, InetSocketAddress from, long now) {
        if (session.cache.peek(frame.requestId()) != DuplicateCache.Verdict.NEW
                || reassembler.reserve(frame, session.client.id(), now) != Reassembler.Reservation.RESERVED) {
            return false;
        }
        boolean opened = false;
        try {
            opened = open(session, from, reassembler.reservedBuffer(), reassembler.reservedOffset());
        } finally {
            if (!opened) {
                reassembler.abandon();
            }
        }
        if (opened) {
            session.heard(now);
            fragmentStored(session, frame.requestId(), reassembler.commit(), now);
        }
        return true;
    }

    /**
     * Authenticates the received datagram of a session, decrypting its payload in place, or
     * into {@code target} at {@code targetOffset} when a target is given; a datagram that fails
     * is counted and dropped.
     *
     * @return whether it authenticated
     */
    private boolean open(Session session, InetSocketAddress from, MemorySegment target, long targetOffset) {
        try {
            if (target == null) {
                session.opener.open(frame);
            } else {
                session.opener.openInto(frame, target, targetOffset);
            }
            return true;
        } catch (AuthenticationException e) {
            session.dropped(Drop.FORGED, e.getMessage() + " (from " + from + ")");
        } catch (ReplayException e) {
            session.dropped(Drop.REPLAYED, e.getMessage());
        }
        return false;
    }

    /** Acts on what the reassembler did with a fragment of a new request. */
    private void fragmentStored(Session session, long requestId, Reassembler.Outcome outcome, long now) {
        switch (outcome) {
            case INCOMPLETE -> nackTimer.fragmentArrived(session.id, requestId, now);
            case NO_SLOT -> session.dropped(Drop.NO_SLOT, "no reassembly slot free for request "
                    + Long.toUnsignedString(requestId));
            case COMPLETE -> {
                nackTimer.forget(session.id, requestId);
                try {
                    message(session, requestId, reassembler.message(), 0, reassembler.messageLength(), now);
                } finally {
                    reassembler.release();
                }
            }
            case DUPLICATE -> {
                // a fragment received before: nothing new
            }
        }
    }

    private void message(Session session, long requestId, MemorySegment segment, long at, int length, long now) {
        MessageType type;
        try {
            type = header.wrap(segment, at, length).type();
        } catch (UnsupportedMessageTypeException e) {
            replyStatus(session, requestId, MessageType.ERROR, Status.ENOTSUP);
            return;
        } catch (MalformedMessageException e) {
            malformed(session, requestId, e);
            return;
        }
        switch (type) {
            case KEEPALIVE -> replyStatus(session, requestId, MessageType.KEEPALIVE_RESPONSE, Status.OK);
            case CLOSE -> {
                close(session, "closed by the client");
                if (session.closeWhenIdle(requestId)) {
                    replyStatus(session, requestId, MessageType.CLOSE_RESPONSE, Status.OK);
                }
            }
            case NACK -> resend(session, requestId, segment, at, length);
            case CLOSE_RESPONSE -> {
                // the answer to the server's CLOSE: nothing to do
            }
            default -> {
                if (type.isResponse() || type == MessageType.HELLO || type == MessageType.AUTHENTICATE) {
                    malformed(session, requestId, new MalformedMessageException("type", at, type + " is not a request"));
                } else {
                    request(session, requestId, type, segment, at, length, now);
                }
            }
        }
    }

    private void request(Session session, long requestId, MessageType type, MemorySegment segment, long at,
            int length, long now) {
        boolean refuseNew = draining;
        boolean copy = type == MessageType.READ && session.cache.seenSince(requestId);
        DuplicateCache.Verdict verdict = refuseNew ? session.cache.peek(requestId) : session.cache.admit(requestId);
        if (verdict != DuplicateCache.Verdict.NEW) {
            admitted(session, requestId, verdict);
            return;
        }
        if (copy && resendKept(session, requestId)) {
            session.cache.forget(requestId);
            return;
        }
        if (refuseNew) {
            replyStatus(session, requestId, MessageType.ERROR, Status.ESHUTDOWN);
            return;
        }
        if (length > buffers.bufferSize()) {
            // a single datagram longer than the largest message (a fragmented one fails reassembly)
            session.cache.forget(requestId);
            malformed(session, requestId, new MalformedMessageException("length", at, "a " + length + "-byte " + type
                    + " is longer than the largest message, " + buffers.bufferSize() + " bytes"));
            return;
        }
        Job job = session.takeJob();
        if (job == null) {
            session.cache.forget(requestId);
            session.dropped(Drop.NO_CREDIT, "request " + Long.toUnsignedString(requestId) + " beyond " + session.credits
                    + " credits");
            replyStatus(session, requestId, MessageType.ERROR, Status.NO_CREDIT);
            return;
        }
        if (!job.load(segment, at, length, buffers)) {
            session.cache.forget(requestId);
            session.abandon(job, buffers);
            session.dropped(Drop.NO_SLOT, "no buffer free for a " + length + "-byte " + type);
            return;
        }
        job.start(requestId, type, now, Job.dataBytes(type, segment, at, length, block, server.maxIoBytes()));
        if (!scheduler.submit(job)) {
            // the server stopped between the draining check and now: the workers are gone
            session.cache.forget(requestId);
            session.abandon(job, buffers);
            replyStatus(session, requestId, MessageType.ERROR, Status.ESHUTDOWN);
        }
    }

    /** Answers a copy of a request the cache knows: ignored while executing, else from the cache or STALE. */
    private void admitted(Session session, long requestId, DuplicateCache.Verdict verdict) {
        switch (verdict) {
            case ANSWERED -> {
                int length = session.cache.copyResponse(requestId, transmitter.segment(), Transmitter.PAYLOAD);
                if (length > 0) {
                    session.client.retransmitted(1);
                    transmitter.sendSingle(session, requestId, length);
                }
            }
            case STALE -> {
                session.dropped(Drop.STALE, "request " + Long.toUnsignedString(requestId)
                        + " is older than the last " + session.cache.capacity());
                replyStatus(session, requestId, MessageType.ERROR, Status.STALE_REQUEST);
            }
            default -> {
                // being executed (or new, which callers do not pass): the response will come
            }
        }
    }

    /**
     * A copy of a READ answered and forgotten: sends its kept response again, whole, instead of
     * executing it again (and taking a job for it).
     *
     * @return false if its response is not kept
     */
    private boolean resendKept(Session session, long requestId) {
        BufferPool.Buffer kept = buffers.pin(session, requestId);
        if (kept == null) {
            return false;
        }
        try {
            int fragments = session.fragmenter.fragmentCount(kept.length());
            if (!kept.resend(fragments, fragments)) {
                return false;
            }
            session.client.retransmitted(fragments);
            scheduler.chargeResent(session.client, kept.length());
            transmitter.send(session, requestId, kept.array(), kept.length());
        } finally {
            buffers.unpin(kept);
        }
        return true;
    }

    /**
     * The client missed fragments of a response: resend exactly those, if the response is kept
     * and has not been resent {@value BufferPool#RESENDS} times over already. Resent bytes are
     * charged to the client's bandwidth cap.
     */
    private void resend(Session session, long requestId, MemorySegment segment, long at, int length) {
        try {
            nack.wrap(segment, at, length);
        } catch (MalformedMessageException e) {
            malformed(session, requestId, e);
            return;
        }
        BufferPool.Buffer kept = buffers.pin(session, requestId);
        if (kept == null) {
            return;
        }
        try {
            int count = session.fragmenter.fragmentCount(kept.length());
            int fragments = Math.min(nack.fragmentCount(), count);
            int missing = 0;
            for (int i = 0; i < fragments; i++) {
                missing += nack.isMissing(i) ? 1 : 0;
            }
            if (!kept.resend(missing, count)) {
                session.dropped(Drop.REFUSED, "NACKs for response " + Long.toUnsignedString(requestId)
                        + " asked for more than " + BufferPool.RESENDS + " times its " + count + " fragments");
                return;
            }
            session.client.retransmitted(missing);
            scheduler.chargeResent(session.client, (long) missing * session.payloadRoom());
            transmitter.resend(session, requestId, kept.array(), kept.length(), nack);
        } finally {
            buffers.unpin(kept);
        }
    }

    private void malformed(Session session, long requestId, MalformedMessageException e) {
        session.dropped(Drop.MALFORMED, e.getMessage());
        replyStatus(session, requestId, MessageType.ERROR, Status.EINVAL);
    }

    private void replyStatus(Session session, long requestId, MessageType type, Status answer) {
        status.encode(transmitter.segment(), Transmitter.PAYLOAD, session.payloadRoom(), type).status(answer);
        transmitter.sendSingle(session, requestId, status.encodedLength());
    }

    // ------------------------------------------------------------------ timers

    /** Runs what is due; returns the nanoseconds until something else is. */
    private long timers(long now) {
        long untilNack = nackTimer.fire(now, nackSender);
        if (now - nextExpiryNanos >= 0) {
            reassembler.expire(now);
            for (Session session : sessions.all()) {
                if (session.isClosed()) {
                    close(session, "its packet sequence is exhausted");
                } else if (now - session.lastHeardNanos() > silenceNanos) {
                    close(session, "expired after " + server.keepAlive().multipliedBy(3).toMillis() + " ms of silence");
                } else {
                    closeIfKeyRevoked(session);
                }
            }
            nextExpiryNanos = now + expiryPeriodNanos;
        }
        return Math.min(untilNack, nextExpiryNanos - now);
    }

    /**
     * Closes the session, telling its client with CLOSE (so that it fails at once instead of
     * re-handshaking with a key that no longer verifies), if the client was removed
     * (NO_SUCH_CLIENT) or no longer holds the key the session was opened with (EPERM).
     */
    private void closeIfKeyRevoked(Session session) {
        Status reason;
        String why;
        try {
            if (session.keyStillGranted(server.pool().clients().client(session.client.id()))) {
                return;
            }
            reason = Status.EPERM;
            why = "closed: its client's key was changed or revoked";
        } catch (PoolNotFoundException removed) {
            reason = Status.NO_SUCH_CLIENT;
            why = "closed: its client was removed";
        } catch (PoolException unreadable) { // the pool closed under the server: not the key's doing
            return;
        }
        replyStatus(session, 0, MessageType.CLOSE, reason);
        close(session, why);
    }

    private boolean sendNack(long sessionId, long requestId) {
        Session session = sessions.get(sessionId);
        if (session == null) {
            return false;
        }
        nack.encode(transmitter.segment(), Transmitter.PAYLOAD, session.payloadRoom(), MessageType.NACK);
        if (!reassembler.nack(sessionId, requestId, nack)) {
            return false;
        }
        transmitter.sendSingle(session, requestId, nack.encodedLength());
        return true;
    }

    private void close(Session session, String why) {
        session.markClosed();
        reassembler.discard(session.id); // its slots count against its client's quota
        sessions.remove(session.id);
        byHandshake.remove(session.handshakeKey);
        for (Job job : scheduler.remove(session.flow, session)) {
            session.abandon(job, buffers);
        }
        buffers.release(session);
        server.sessionClosed();
        LOG.info("{} {}", session, why);
    }
}

package io.coems.nvsp.client;

import io.coems.nvsp.MalformedMessageException;
import io.coems.nvsp.NvspException;
import io.coems.nvsp.SequenceExhaustedException;
import io.coems.nvsp.Status;
import io.coems.nvsp.crypto.Direction;
import io.coems.nvsp.crypto.Opener;
import io.coems.nvsp.frame.FrameHeader;
import io.coems.nvsp.frame.Reassembler;
import io.coems.nvsp.message.Accept;
import io.coems.nvsp.message.BlockStatusResponse;
import io.coems.nvsp.message.Cookie;
import io.coems.nvsp.message.ManagementResponse;
import io.coems.nvsp.message.MessageHeader;
import io.coems.nvsp.message.MessageType;
import io.coems.nvsp.message.Nack;
import io.coems.nvsp.message.ReadResponse;
import io.coems.nvsp.message.StatusResponse;
import io.coems.nvsp.transport.DatagramPort;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.security.SecureRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport of one client: a UDP port connected to the server, the session, the calls
 * in flight, and the receive thread that drives them.
 *
 * <p>The receive thread (a named platform daemon thread) owns the port's receiving side, the
 * handshake, the opener, the reassembler and its own {@link Sender}. In a loop it waits on a
 * port until a datagram arrives or the next timer is due (or a sender wakes it), dispatches the datagrams
 * (responses complete their calls, NACKs resend request fragments, CLOSE and UNKNOWN_SESSION
 * start a new handshake), then runs the timers: handshake retries, retransmissions with their
 * backed-off timeouts, NACKs after a gap in a fragmented response, keep-alives.
 *
 * <p>Application threads encode their requests into pooled {@link Call}s and send them with
 * the call's own sender; when the session is being replaced, the receive thread sends every
 * call in flight again once the new one is established, under the same request ids.
 */
final class Connection {
    /** The gap without a new fragment of a partial response after which it is NACKed. */
    static final long NACK_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private static final Logger LOG = LoggerFactory.getLogger(NvspClient.class);
    private static final long REASSEMBLY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long IDLE_WAKE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * The most datagrams read before the timers run again: more than the socket buffer holds,
     * so a burst is read whole first and a response waiting there is never taken for lost.
     */
    private static final int RECEIVE_BATCH = 1 << 14;
    private static final int SOCKET_BUFFER = 4 << 20;
    private static final int MAX_RESPONSE_FRAGMENTS = Math.ceilDiv(Call.MAX_MESSAGE,
            ClientOptions.MIN_DATAGRAM - FrameHeader.LENGTH - FrameHeader.TAG_LENGTH);

    private final ClientOptions options;
    private final String peer;
    private final DatagramPort port;
    private final Thread thread;
    private final CallPool pool;
    private final RtoEstimator rto = new RtoEstimator();
    private final Counters counters = new Counters();
    private final Drops drops;
    private final SecureRandom random = new SecureRandom();
    private final AtomicLong requestIds = new AtomicLong(1);
    private final CountDownLatch connected = new CountDownLatch(1);
    private final SentLog sent = new SentLog();

    // receive thread only
    private final ByteBuffer received = ByteBuffer.allocate(DatagramPort.RECEIVE_CAPACITY);
    private final MemorySegment receivedSegment = MemorySegment.ofBuffer(received);
    private final FrameHeader frame = new FrameHeader();
    private final MessageHeader header = new MessageHeader();
    private final StatusResponse statusResponse = new StatusResponse();
    private final ReadResponse readResponse = new ReadResponse();
    private final BlockStatusResponse extents = new BlockStatusResponse();
    private final ManagementResponse result = new ManagementResponse();
    private final Cookie cookie = new Cookie();
    private final Accept accept = new Accept();
    private final Nack nack = new Nack();
    private final Sender control;
    private final Reassembler reassembler;
    private Opener opener;
    /** The session being replaced, still open to the answers a draining server sends on it. */
    private Session previous;
    private Opener previousOpener;
    /** The new session, held back until the server closed the previous one (or it is gone). */
    private Session pending;
    private long retireRequestId;
    private long retireDeadlineNanos;
    private long retireResendNanos;
    private ClientHandshake handshake;
    private long nextExpiryNanos;
    private boolean closing;
    private boolean closeAnswered;
    private long closeRequestId;
    private long closeDeadlineNanos;
    private long closeResendNanos;

    // shared
    private volatile Session session;
    private volatile RemoteException closed;
    private volatile RemoteException connectFailure;
    private volatile boolean stopRequested;
    private volatile boolean sequenceExhausted;
    private volatile long lastSentNanos;
    private volatile long plannedWakeNanos;

    private Connection(ClientOptions options, DatagramPort port) {
        this.options = options;
        this.peer = options.server().toString();
        this.port = port;
        this.pool = new CallPool(options.maxInFlight(), port, options.maxDatagram(), sent);
        this.drops = new Drops(LOG, counters, peer);
        this.control = new Sender(port, options.maxDatagram(), options.maxInFlight(), sent);
        this.reassembler = new Reassembler(options.maxInFlight(), options.maxInFlight(), Call.MAX_MESSAGE,
                MAX_RESPONSE_FRAGMENTS, REASSEMBLY_TIMEOUT_NANOS);
        this.thread = Thread.ofPlatform().daemon().name("nvsp-client " + peer).unstarted(this::run);
    }

    /**
     * Opens the port, starts the receive thread and runs the handshake.
     *
     * @param options the client's options
     * @return the connection, established
     * @throws RemoteTimeoutException if the handshake got no answer within the request timeout
     * @throws RemoteException if the server refused the handshake
     * @throws RemoteIoException if the socket cannot be opened
     */
    static Connection open(ClientOptions options) {
        Connection connection;
        try {
            DatagramPort port = DatagramPort.connect(options.server(), SOCKET_BUFFER);
            try {
                connection = new Connection(options, port);
            } catch (RuntimeException e) {
                port.close();
                throw e;
            }
        } catch (IOException e) {
            throw new RemoteIoException("cannot open a UDP socket to " + options.server() + ": " + e.getMessage(),
                    null, e);
        }
        connection.thread.start();
        connection.awaitConnected();
        return connection;
    }

    private void awaitConnected() {
        try {
            connected.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new RemoteException("interrupted while connecting to " + peer, null, e);
        }
        RemoteException failure = connectFailure;
        if (failure != null) {
            close();
            throw failure;
        }
    }

    // ---- application threads ------------------------------------------------------------

    /**
     * Returns the counters.
     *
     * @return a snapshot
     */
    ClientStats stats() {
        return counters.snapshot(rto);
    }

    /**
     * Returns the current session.
     *
     * @return the session, or null while a new one is being negotiated
     */
    Session session() {
        return session;
    }

    /**
     * Returns the options the client was made with.
     *
     * @return the options
     */
    ClientOptions options() {
        return options;
    }

    /**
     * Fails fast when the client is closed.
     *
     * @throws RemoteClosedException if it is
     */
    void checkOpen() {
        RemoteException reason = closed;
        if (reason != null) {
            throw closedException(reason);
        }
    }

    /**
     * Takes a call if a credit is free.
     *
     * @return the call, or null
     */
    Call tryAcquire() {
        return pool.tryAcquire();
    }

    /**
     * Waits for a credit and takes a call.
     *
     * @param deadlineNanos when to give up
     * @return the call
     */
    Call acquire(long deadlineNanos) {
        try {
            return pool.acquire(deadlineNanos);
        } catch (RemoteTimeoutException e) {
            counters.timeouts.increment();
            throw e;
        }
    }

    /**
     * Sends a call the owner encoded under a new request id, once that id is within the window
     * the server's duplicate cache covers (see {@link CallPool#number}).
     *
     * @param call the reserved call, with its request encoded
     * @param deadlineNanos when to give up waiting for the window
     * @throws RemoteClosedException if the client is closed
     * @throws RemoteTimeoutException if the window stayed closed until the deadline
     */
    void issue(Call call, long deadlineNanos) {
        try {
            pool.number(call, requestIds, deadlineNanos);
        } catch (RemoteTimeoutException e) {
            counters.timeouts.increment();
            throw e;
        }
        long now = System.nanoTime();
        long resend;
        synchronized (call) {
            checkOpen();
            Session current = session;
            call.activate(now, firstTimeout(current, call));
            counters.requests.increment();
            if (current != null) {
                transmit(call.sender, current, call, now);
            }
            resend = call.resendNanos;
        }
        if (resend - plannedWakeNanos < 0) {
            port.wakeup();
        }
    }

    /**
     * Tells whether the receive thread may read and write a segment, so that a transfer can
     * settle its parts there as they arrive.
     *
     * @param segment the caller's memory
     * @return false for a segment confined to another thread
     */
    boolean receiverMayAccess(MemorySegment segment) {
        return segment.isAccessibleBy(thread);
    }

    /**
     * Returns the first retransmission timeout of a request: the RTO, plus the NACK gap for a
     * fragmented request, so that the server's NACK of a lost fragment comes before the whole
     * request is sent again.
     */
    private long firstTimeout(Session current, Call call) {
        boolean fragmented = current != null && current.fragmenter().fragmentCount(call.requestLength()) > 1;
        return rto.rtoNanos() + (fragmented ? NACK_GAP_NANOS : 0);
    }

    /**
     * Waits for a call's response and checks its status.
     *
     * @param call an issued call
     * @param deadlineNanos when to give up
     * @throws RemoteTimeoutException if no response came before the deadline
     * @throws RemoteException the typed exception for a status other than OK, or the failure
     *     that ended the call
     */
    void await(Call call, long deadlineNanos) {
        boolean answered;
        try {
            answered = call.await(deadlineNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteException("interrupted while waiting for " + call.describe(), null, e);
        }
        if (!answered) {
            timeOut(call);
        }
        RemoteException failure = outcome(call);
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Fails a call that got no response within its deadline, if it is still in flight.
     *
     * @param call the call
     */
    void timeOut(Call call) {
        if (call.fail(new RemoteTimeoutException(call.describe() + ": no response within "
                + options.requestTimeout() + " (sent " + call.sendCount() + " times)"))) {
            counters.timeouts.increment();
        }
    }

    /**
     * Returns what the caller of a done call throws: the failure that ended it, or the typed
     * exception of a status other than OK.
     *
     * @param call the done call
     * @return the exception, or null when the response's status is OK
     */
    RemoteException outcome(Call call) {
        RemoteException failure = call.failure();
        if (failure != null) {
            return failure instanceof RemoteClosedException ? closedException(failure) : failure;
        }
        Status status = call.status();
        return status == Status.OK ? null : RemoteException.of(status, call.describe());
    }

    /**
     * Returns a call to the pool; a call still in flight is abandoned.
     *
     * @param call the call
     */
    void release(Call call) {
        call.free();
        pool.release(call);
    }

    /**
     * Returns how long a request may take.
     *
     * @return the request timeout in nanoseconds
     */
    long requestTimeoutNanos() {
        return options.requestTimeout().toNanos();
    }

    /**
     * Closes the client: fails the calls waiting, sends CLOSE and waits briefly for its answer,
     * stops the receive thread and closes the port. Idempotent.
     */
    void close() {
        stopRequested = true; // before shutDown: the receive thread seeing it closed also sees the stop
        shutDown(new RemoteClosedException("the client of " + peer + " is closed", null, null));
        port.wakeup();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(TimeUnit.NANOSECONDS.toMillis(CLOSE_WAIT_NANOS) * 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void shutDown(RemoteException reason) {
        synchronized (this) {
            if (closed != null) {
                return;
            }
            closed = reason;
        }
        pool.close(reason);
        Call[] calls = pool.calls();
        for (int i = 0, n = pool.allocated(); i < n; i++) {
            calls[i].fail(reason);
        }
    }

    private static RemoteClosedException closedException(RemoteException reason) {
        return new RemoteClosedException(reason.getMessage(), reason.status(), reason);
    }

    private void transmit(Sender sender, Session current, Call call, long now) {
        int length = call.requestLength();
        long id = call.requestId();
        send(() -> {
            sender.sendMessage(current, call.request, length, id, null);
        }, now);
        call.transmissions++;
        call.sentNanos = now;
    }

    /** Sends datagrams; something the socket or the session cannot send counts as lost. */
    @FunctionalInterface
    private interface Transmission {
        void send() throws IOException;
    }

    /**
     * Runs a transmission. A refusal of the socket is a loss (retransmission recovers it); an
     * exhausted packet sequence makes the receive thread run a new handshake.
     *
     * @return true when everything was sent
     */
    private boolean send(Transmission transmission, long now) {
        try {
            transmission.send();
            lastSentNanos = now;
            return true;
        } catch (SequenceExhaustedException e) {
            sequenceExhausted = true;
            port.wakeup();
        } catch (IOException e) {
            if (!(e instanceof PortUnreachableException || e instanceof ClosedChannelException)) {
                drops.drop(Drops.Cause.UNSENT, e.toString());
            }
        }
        return false;
    }

    // ---- receive thread --------------------------------------------------------------------

    private void run() {
        try {
            beginHandshake(System.nanoTime(), System.nanoTime() + requestTimeoutNanos());
            loop();
        } catch (IOException | RuntimeException | Error e) {
            LOG.error("the receive thread of the client of {} failed", peer, e);
            RemoteException failure = new RemoteIoException("the client of " + peer + " failed: " + e, null, e);
            if (connected.getCount() > 0) {
                connectFailure = failure;
            }
            shutDown(new RemoteClosedException(failure.getMessage(), null, e));
        } finally {
            connected.countDown();
            port.close();
        }
    }

    private void loop() throws IOException {
        while (true) {
            long now = System.nanoTime();
            long wake = timers(now);
            if (wake == Long.MIN_VALUE) {
                return;
            }
            plannedWakeNanos = wake;
            long waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(wake - now + 999_999));
            port.await(waitMillis);
            receive();
        }
    }

    private void receive() throws IOException {
        for (int i = 0; i < RECEIVE_BATCH; i++) {
            received.clear();
            int length;
            try {
                length = port.receive(received);
            } catch (PortUnreachableException e) {
                continue; // no server at the address right now (restarting): like a lost datagram
            }
            if (length == 0) {
                return;
            }
            long now = System.nanoTime();
            for (int at = 0, segment = port.segmentSize(); at < length; at += segment) {
                handle(at, Math.min(segment, length - at), now);
            }
        }
    }

    /** Runs what is due and returns when to run again, or Long.MIN_VALUE to stop. */
    private long timers(long now) {
        if (stopRequested && !closing) {
            beginClose(now);
        }
        if (closing) {
            return closeTimer(now);
        }
        if (closed != null) {
            return Long.MIN_VALUE;
        }
        if (sequenceExhausted) {
            sequenceExhausted = false;
            rehandshake(now, "the packet sequence is exhausted", false);
        }
        long next = now + IDLE_WAKE_NANOS;
        if (handshake != null) {
            RemoteException failure = handshake.onTimer(control, now);
            if (failure != null) {
                handshakeFailed(failure);
                return Long.MIN_VALUE;
            }
            next = Math.min(next, handshake.nextTimerNanos());
        }
        if (pending != null) {
            next = Math.min(next, retireTimer(now));
        }
        Session current = session;
        if (current != null) {
            next = Math.min(next, retransmit(current, now));
            next = Math.min(next, keepAlive(current, now));
        }
        if (now - nextExpiryNanos >= 0) {
            reassembler.expire(now);
            nextExpiryNanos = now + REASSEMBLY_TIMEOUT_NANOS / 4;
        }
        return next;
    }

    private long retransmit(Session current, long now) {
        long next = Long.MAX_VALUE;
        Call[] calls = pool.calls();
        for (int i = 0, n = pool.allocated(); i < n; i++) {
            Call call = calls[i];
            if (!call.isActive()) {
                continue;
            }
            synchronized (call) {
                if (!call.isActive()) {
                    continue;
                }
                if (call.partial && now - call.nackNanos >= 0) {
                    sendNack(current, call, now);
                }
                if (now - call.resendNanos >= 0) {
                    transmit(control, current, call, now);
                    counters.retransmissions.increment();
                    call.retransmitted = true;
                    call.timeoutNanos = RtoEstimator.backoff(call.timeoutNanos);
                    call.resendNanos = now + call.timeoutNanos;
                }
                next = Math.min(next, call.partial ? Math.min(call.resendNanos, call.nackNanos) : call.resendNanos);
            }
        }
        return next;
    }

    private void sendNack(Session current, Call call, long now) {
        call.nackNanos = now + Math.max(NACK_GAP_NANOS, rto.rtoNanos());
        int room = control.begin(current, call.requestId());
        nack.encode(control.segment(), FrameHeader.LENGTH, room, MessageType.NACK);
        if (!reassembler.nack(current.id(), call.requestId(), nack)) {
            call.partial = false; // the slot expired: the retransmitted request starts over
            return;
        }
        if (send(() -> control.seal(current, nack.encodedLength()), now)) {
            counters.nacksSent.increment();
        }
    }

    private long keepAlive(Session current, long now) {
        if (current.keepAliveNanos() == 0) {
            return Long.MAX_VALUE;
        }
        long due = lastSentNanos + current.keepAliveNanos();
        if (now - due < 0) {
            return due;
        }
        sendKeepAlive(current, requestIds.getAndIncrement(), now);
        return now + current.keepAliveNanos();
    }

    /** Sends KEEPALIVE, an empty message. */
    private void sendKeepAlive(Session current, long requestId, long now) {
        int room = control.begin(current, requestId);
        header.encode(control.segment(), FrameHeader.LENGTH, room, MessageType.KEEPALIVE, 0);
        send(() -> control.seal(current, MessageHeader.LENGTH), now);
    }

    /** Sends CLOSE or CLOSE_RESPONSE with a status. */
    private void sendStatus(Session current, MessageType type, Status status, long requestId, long now) {
        int room = control.begin(current, requestId);
        int length = statusResponse.encode(control.segment(), FrameHeader.LENGTH, room, type).status(status)
                .encodedLength();
        send(() -> control.seal(current, length), now);
    }

    private void beginClose(long now) {
        closing = true;
        Session current = session;
        if (current == null) {
            closeAnswered = true;
            return;
        }
        closeRequestId = requestIds.getAndIncrement();
        closeDeadlineNanos = now + Math.min(CLOSE_WAIT_NANOS, requestTimeoutNanos());
        closeResendNanos = now;
    }

    private long closeTimer(long now) {
        Session current = session; // null when the server closed the session meanwhile
        if (closeAnswered || current == null || now - closeDeadlineNanos >= 0) {
            LOG.info("closed the session {} with {}", sessionName(current), peer);
            return Long.MIN_VALUE;
        }
        if (now - closeResendNanos >= 0) {
            sendStatus(current, MessageType.CLOSE, Status.OK, closeRequestId, now);
            closeResendNanos = now + rto.rtoNanos();
        }
        return Math.min(closeResendNanos, closeDeadlineNanos);
    }

    private void beginHandshake(long now, long deadlineNanos) {
        handshake = new ClientHandshake(options, random, deadlineNanos);
        handshake.start(control, now);
    }

    /**
     * Starts a new handshake; the requests in flight wait for the new session.
     *
     * @param keepPrevious whether the server may still answer on the old session (it is
     *     draining, or its UNKNOWN_SESSION was not its last word): its opener is kept until the
     *     new session is up or the server's CLOSE arrives
     */
    private void rehandshake(long now, String reason, boolean keepPrevious) {
        if (handshake != null || pending != null || closing) {
            return;
        }
        Session old = session;
        previous = keepPrevious ? old : null;
        previousOpener = keepPrevious ? opener : null;
        session = null;
        opener = null;
        counters.rehandshakes.increment();
        LOG.info("lost the session {} with {} ({}): running a new handshake", sessionName(old), peer, reason);
        beginHandshake(now, Long.MAX_VALUE);
    }

    private void handshakeFailed(RemoteException failure) {
        handshake = null;
        if (connected.getCount() > 0) {
            connectFailure = failure;
            shutDown(failure);
        } else {
            LOG.warn("could not renew the session with {}: {}", peer, failure.getMessage());
            shutDown(new RemoteClosedException("lost the session with " + peer + " and a new handshake failed: "
                    + failure.getMessage(), failure.status(), failure));
        }
    }

    private void established(Session fresh, long now) {
        long roundTrip = handshake.roundTripNanos(now);
        if (roundTrip >= 0) {
            rto.sample(roundTrip);
        }
        handshake = null;
        if (previous == null) {
            publish(fresh, now);
            return;
        }
        pending = fresh;
        retireRequestId = requestIds.getAndIncrement();
        retireDeadlineNanos = now + CLOSE_WAIT_NANOS;
        retireResendNanos = now;
        LOG.debug("session {} with {} accepted; closing the session {} first", sessionName(fresh), peer,
                sessionName(previous));
    }

    /**
     * Before the requests in flight are sent on the new session, the previous one is closed with
     * an authenticated CLOSE on its own keys: if it is still alive (its UNKNOWN_SESSION was
     * forged, or the server drains it), the server drops its queued requests and answers once
     * the running ones are done, so no old copy of a WRITE runs after its retransmission. Ends
     * on CLOSE_RESPONSE, on an UNKNOWN_SESSION echoing the CLOSE, on the server's own CLOSE, or
     * after {@code CLOSE_WAIT_NANOS}; CLOSE is sent again after each RTO.
     */
    private long retireTimer(long now) {
        if (previous == null || now - retireDeadlineNanos >= 0) {
            Session fresh = pending;
            pending = null;
            publish(fresh, now);
            return now;
        }
        if (now - retireResendNanos >= 0) {
            sendStatus(previous, MessageType.CLOSE, Status.OK, retireRequestId, now);
            retireResendNanos = now + rto.rtoNanos();
        }
        return Math.min(retireResendNanos, retireDeadlineNanos);
    }

    private void forgetPrevious() {
        previous = null;
        previousOpener = null;
    }

    /** Makes a session current and sends every request in flight on it. */
    private void publish(Session fresh, long now) {
        forgetPrevious();
        sent.clear();
        opener = fresh.keys().opener(Direction.SERVER_TO_CLIENT, fresh.mode());
        reassembler.expire(now + REASSEMBLY_TIMEOUT_NANOS + 1); // frees every slot of the old session
        drops.newSession();
        pool.limit(fresh.credits());
        lastSentNanos = now;
        session = fresh;
        LOG.info("session {} with {}: maxDatagram {}, {}, {} credits, keep-alive {} s", sessionName(fresh), peer,
                fresh.maxDatagram(), fresh.mode(), fresh.credits(), TimeUnit.NANOSECONDS.toSeconds(fresh.keepAliveNanos()));
        Call[] calls = pool.calls();
        for (int i = 0, n = pool.allocated(); i < n; i++) {
            Call call = calls[i];
            synchronized (call) {
                if (call.isActive()) {
                    if (call.transmissions > 0) {
                        call.retransmitted = true;
                        counters.retransmissions.increment();
                    }
                    call.partial = false;
                    transmit(control, fresh, call, now);
                    call.timeoutNanos = firstTimeout(fresh, call);
                    call.resendNanos = now + call.timeoutNanos;
                }
            }
        }
        connected.countDown();
    }

    private static String sessionName(Session session) {
        return session == null ? "(none)" : "0x" + Long.toHexString(session.id());
    }

    private void handle(int at, int length, long now) {
        try {
            frame.wrap(receivedSegment, at, length);
            if (frame.flags() == 0) {
                handleUnprotected(now);
                return;
            }
            Session current = session;
            Opener opening;
            boolean currentSession = current != null && frame.sessionId() == current.id();
            if (currentSession) {
                opening = opener;
            } else if (previous != null && frame.sessionId() == previous.id()) {
                current = previous;
                opening = previousOpener;
            } else {
                drops.drop(Drops.Cause.UNEXPECTED, "a datagram of session 0x" + Long.toHexString(frame.sessionId()));
                return;
            }
            if (frame.fragmentCount() > 1) {
                handleFragment(current, opening, currentSession, now);
            } else {
                open(opening, currentSession, null, 0);
                handleMessage(current, frame.requestId(), receivedSegment, frame.payloadOffset(),
                        frame.payloadLength(), now);
            }
        } catch (NvspException e) {
            drops.drop(e);
        } catch (RuntimeException e) {
            LOG.debug("datagram from {} failed to dispatch", peer, e);
            drops.drop(Drops.Cause.MALFORMED, e.toString());
        }
    }

    private void handleUnprotected(long now) {
        long offset = frame.payloadOffset();
        int length = frame.payloadLength();
        MessageType type = header.wrap(receivedSegment, offset, length).type();
        if (frame.sessionId() == 0 && handshake != null && (type == MessageType.COOKIE || type == MessageType.ACCEPT)) {
            try {
                if (handshakeAnswer(type, offset, length, now)) {
                    return;
                }
            } catch (RemoteException refused) {
                handshakeFailed(refused);
                return;
            }
        } else if (type == MessageType.ERROR && isUnknownSessionEcho(offset, length)) {
            if (previous != null && frame.sessionId() == previous.id()) {
                forgetPrevious(); // the session being replaced is gone
            } else {
                rehandshake(now, "the server answered UNKNOWN_SESSION", true);
            }
            return;
        }
        drops.drop(Drops.Cause.UNEXPECTED, "an unprotected " + type);
    }

    /**
     * Tells whether an unprotected ERROR is UNKNOWN_SESSION for the current or the previous
     * session and echoes the sequence and request id of a datagram sent lately: anyone can
     * send the clear text, only the server (or someone on the path) knows what it echoes.
     */
    private boolean isUnknownSessionEcho(long offset, int length) {
        long id = frame.sessionId();
        boolean ours = session != null && id == session.id() || previous != null && id == previous.id();
        return ours && statusResponse.wrap(receivedSegment, offset, length).status() == Status.UNKNOWN_SESSION
                && sent.contains(frame.sequence(), frame.requestId());
    }

    /** Passes COOKIE or ACCEPT to the handshake; false when it answers nothing of it. */
    private boolean handshakeAnswer(MessageType type, long offset, int length, long now) {
        if (type == MessageType.COOKIE) {
            return handshake.onCookie(cookie.wrap(receivedSegment, offset, length), frame.requestId(), frame.sequence(),
                    control, now);
        }
        Session fresh = handshake.onAccept(accept.wrap(receivedSegment, offset, length), frame.requestId(),
                frame.sequence());
        if (fresh != null) {
            established(fresh, now);
        }
        return fresh != null;
    }

    /**
     * Opens the received datagram, in place or, when a target is given, into it at its offset;
     * one of the current session updates the credits.
     */
    private void open(Opener opening, boolean currentSession, MemorySegment target, long targetOffset) {
        if (target == null) {
            opening.open(frame);
        } else {
            opening.openInto(frame, target, targetOffset);
        }
        if (currentSession) {
            pool.limit(frame.credits());
        }
    }

    /**
     * Takes a fragment of a response. A new fragment of a response awaited is decrypted straight
     * into its reassembly slot (reserved before the datagram is authenticated, abandoned if it
     * fails); anything else (a duplicate, no slot free, a malformed or late fragment) is opened
     * in place first, as an unfragmented datagram, so it is authenticated and counted alike.
     */
    private void handleFragment(Session current, Opener opening, boolean currentSession, long now) {
        long id = frame.requestId();
        Call call = awaiting(id);
        Reassembler.Outcome outcome;
        if (call != null && reassembler.reserve(frame, now) == Reassembler.Reservation.RESERVED) {
            boolean opened = false;
            try {
                open(opening, currentSession, reassembler.reservedBuffer(), reassembler.reservedOffset());
                opened = true;
            } finally {
                if (!opened) {
                    reassembler.abandon(); // a forged fragment neither counts nor keeps a slot it claimed
                }
            }
            outcome = reassembler.commit();
        } else {
            open(opening, currentSession, null, 0);
            if (call == null) {
                counters.lateResponses.increment();
                return;
            }
            outcome = reassembler.accept(frame, now);
        }
        switch (outcome) {
            case INCOMPLETE -> {
                synchronized (call) {
                    if (call.awaits(id)) {
                        call.partial = true;
                        call.nackNanos = now + NACK_GAP_NANOS;
                        call.resendNanos = Math.max(call.resendNanos, now + NACK_GAP_NANOS + call.timeoutNanos);
                    }
                }
            }
            case COMPLETE -> {
                try {
                    handleMessage(current, id, reassembler.message(), 0, reassembler.messageLength(), now);
                } finally {
                    reassembler.release();
                }
            }
            case NO_SLOT -> drops.drop(Drops.Cause.NO_SLOT, "fragment " + frame.fragmentIndex() + " of request " + id);
            case DUPLICATE -> LOG.debug("duplicate fragment {} of request {}", frame.fragmentIndex(), id);
        }
    }

    private void handleMessage(Session current, long id, MemorySegment message, long offset, int length, long now) {
        MessageType type = header.wrap(message, offset, length).type();
        switch (type) {
            case CLOSE -> serverClosed(current, id, statusResponse.wrap(message, offset, length).status(), now);
            case NACK -> resendFragments(current, id, nack.wrap(message, offset, length), now);
            case KEEPALIVE_RESPONSE -> LOG.trace("keep-alive answered by {}", peer);
            case CLOSE_RESPONSE -> {
                if (closing && id == closeRequestId) {
                    closeAnswered = true;
                } else if (current == previous && id == retireRequestId) {
                    forgetPrevious();
                } else {
                    drops.drop(Drops.Cause.UNEXPECTED, "a CLOSE_RESPONSE to request " + id);
                }
            }
            default -> {
                if (type.isResponse()) {
                    response(current, id, type, message, offset, length, now);
                } else {
                    drops.drop(Drops.Cause.UNEXPECTED, "a " + type + " request from the server");
                }
            }
        }
    }

    private void response(Session current, long id, MessageType type, MemorySegment message, long offset, int length,
            long now) {
        Call call = awaiting(id);
        if (call == null) {
            counters.lateResponses.increment();
            return;
        }
        if (type != MessageType.ERROR && type.code() != (call.type().code() | 0x8000)) {
            drops.drop(Drops.Cause.UNEXPECTED, "a " + type + " answering a " + call.type());
            return;
        }
        Status status = status(type, message, offset, length);
        switch (status) {
            case NO_CREDIT -> {
                synchronized (call) {
                    if (call.awaits(id)) {
                        call.retransmitted = true;
                        call.timeoutNanos = RtoEstimator.backoff(call.timeoutNanos);
                        call.resendNanos = now + call.timeoutNanos;
                    }
                }
            }
            case UNKNOWN_SESSION, ESHUTDOWN -> rehandshake(now, "the server answered " + status, true);
            case STALE_REQUEST -> {
                if (isIdempotent(call.type()) && !call.renumbered) {
                    resendUnderNewId(current, call, id, now);
                } else {
                    complete(call, id, status, message, offset, length, now);
                }
            }
            default -> complete(call, id, status, message, offset, length, now);
        }
    }

    private void complete(Call call, long id, Status status, MemorySegment message, long offset, int length, long now) {
        synchronized (call) {
            if (!call.awaits(id)) {
                counters.lateResponses.increment();
                return;
            }
            if (!call.retransmitted) {
                rto.sample(now - call.sentNanos);
            }
            call.complete(status, message, offset, length);
        }
    }

    /** READ, BLOCK_STATUS and the lists may run again: a STALE_REQUEST of one is sent anew. */
    private static boolean isIdempotent(MessageType type) {
        return switch (type) {
            case READ, BLOCK_STATUS, LIST_VOLUMES, LIST_HISTORY, LIST_CLIENTS -> true;
            default -> false;
        };
    }

    /**
     * Sends a request the server no longer remembers again under a new request id, once; only
     * for idempotent requests, which may run twice.
     */
    private void resendUnderNewId(Session current, Call call, long staleId, long now) {
        synchronized (call) {
            if (!call.awaits(staleId)) {
                counters.lateResponses.increment();
                return;
            }
            long fresh = requestIds.getAndIncrement();
            LOG.debug("{} {} was stale at {}: sent again as request {}", call.type(), staleId, peer, fresh);
            call.number(fresh);
            call.renumbered = true;
            call.retransmitted = true;
            call.partial = false;
            if (current == session) { // else the session is being replaced: sent on the new one
                counters.retransmissions.increment();
                transmit(control, current, call, now);
                call.timeoutNanos = firstTimeout(current, call);
                call.resendNanos = now + call.timeoutNanos;
            }
        }
    }

    /** Decodes a response's status; read data is checked against its CRC-32C here. */
    private Status status(MessageType type, MemorySegment message, long offset, int length) {
        return switch (type.layout()) {
            case STATUS -> statusResponse.wrap(message, offset, length).status();
            case DATA -> {
                readResponse.wrap(message, offset, length);
                if (readResponse.status() == Status.OK) {
                    readResponse.data().verify();
                }
                yield readResponse.status();
            }
            case EXTENTS -> extents.wrap(message, offset, length).status();
            case MANAGEMENT_RESULT -> result.wrap(message, offset, length).status();
            default -> throw new MalformedMessageException("type", offset, type + " answers no request of this client");
        };
    }

    private void resendFragments(Session current, long id, Nack missing, long now) {
        Call call = awaiting(id);
        if (call == null) {
            return; // a NACK for a request no longer in flight is ignored (spec 7)
        }
        synchronized (call) {
            if (!call.awaits(id)) {
                return;
            }
            int length = call.requestLength();
            int count = current.fragmenter().fragmentCount(length);
            if (missing.fragmentCount() != count) {
                drops.drop(Drops.Cause.MALFORMED, "a NACK of " + missing.fragmentCount() + " fragments for request "
                        + id + " of " + count);
                return;
            }
            send(() -> counters.fragmentsResent.add(control.sendMessage(current, call.request, length, id, missing)),
                    now);
            call.retransmitted = true;
            call.resendNanos = Math.max(call.resendNanos, now + call.timeoutNanos);
        }
    }

    private void serverClosed(Session current, long id, Status reason, long now) {
        sendStatus(current, MessageType.CLOSE_RESPONSE, Status.OK, id, now);
        if (current == previous) {
            LOG.debug("the server {} closed the session {} being replaced ({})", peer, sessionName(current), reason);
            forgetPrevious();
        } else if (reason == Status.ESHUTDOWN) {
            rehandshake(now, "the server is shutting down", false);
        } else {
            LOG.warn("the server {} closed the session {} with {}", peer, sessionName(current), reason);
            session = null;
            shutDown(new RemoteClosedException("the server " + peer + " closed the session with " + reason, reason,
                    null));
        }
    }

    private Call awaiting(long id) {
        Call[] calls = pool.calls();
        for (int i = 0, n = pool.allocated(); i < n; i++) {
            if (calls[i].awaits(id)) {
                return calls[i];
            }
        }
        return null;
    }
}

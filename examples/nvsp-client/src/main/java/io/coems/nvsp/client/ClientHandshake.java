package io.coems.nvsp.client;

import io.coems.nvsp.AuthenticationException;
import io.coems.nvsp.SecurityMode;
import io.coems.nvsp.Status;
import io.coems.nvsp.crypto.Handshake;
import io.coems.nvsp.frame.FrameHeader;
import io.coems.nvsp.frame.Fragmenter;
import io.coems.nvsp.message.Accept;
import io.coems.nvsp.message.Authenticate;
import io.coems.nvsp.message.Cookie;
import io.coems.nvsp.message.Hello;
import io.coems.nvsp.message.MessageHeader;
import io.coems.nvsp.message.MessageType;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

/**
 * The client side of one handshake (spec 6.1): HELLO, then AUTHENTICATE with the cookie and the
 * client proof, then the server's ACCEPT, whose proof is verified before the keys are derived.
 * Each message is sent again after 1 s, doubling, at most {@value #TRIES} times; an optional
 * deadline ends it sooner. An ACCEPT whose proof fails is dropped (the caller counts it) and
 * AUTHENTICATE is repeated; so is an ACCEPT fixing a weaker protection than asked, which ends
 * the handshake with a failure.
 *
 * <p>The handshake's frames are unprotected, so anyone can send a COOKIE or an ACCEPT: an
 * answer counts only when it echoes the handshake's request id and the sequence of one of the
 * tries, both drawn at random (64 bits). A COOKIE refusing the handshake ends it only if no
 * accepting COOKIE arrives before HELLO's next timeout; when AUTHENTICATE gets no answer (a
 * forged cookie, a server restarted meanwhile) the handshake starts over with HELLO, once.
 *
 * <p>Driven by the receive thread only; not thread-safe.
 */
final class ClientHandshake {
    /** How often HELLO, and then AUTHENTICATE, is sent at most. */
    static final int TRIES = 5;

    private static final long FIRST_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ClientOptions options;
    private final SecureRandom random;
    private final long requestId;
    private final long deadlineNanos;
    private final byte[] nonce = new byte[Hello.NONCE_LENGTH];
    private final MemorySegment message = MemorySegment.ofArray(new byte[MessageHeader.LENGTH + Authenticate.BLOCK_LENGTH]);
    private final Authenticate authenticate = new Authenticate();
    private MessageType sending;
    private int length;
    private int tries;
    private long firstSequence;
    private boolean restarted;
    private RemoteException refusal;
    private long timeoutNanos;
    private long nextTryNanos;
    private long authenticateSentNanos;

    /**
     * Prepares a handshake with a fresh client nonce.
     *
     * @param options the client's options
     * @param random the source of the nonce, the request id and the sequences
     * @param deadlineNanos when to give up at the latest, {@link Long#MAX_VALUE} for no
     *     deadline but the tries
     */
    ClientHandshake(ClientOptions options, SecureRandom random, long deadlineNanos) {
        this.options = options;
        this.random = random;
        this.requestId = random.nextLong();
        this.deadlineNanos = deadlineNanos;
        random.nextBytes(nonce);
    }

    /**
     * Sends the first HELLO.
     *
     * @param sender the receive thread's sender
     * @param nowNanos the current time
     */
    void start(Sender sender, long nowNanos) {
        refusal = null;
        Hello hello = new Hello().encode(message, 0, (int) message.byteSize(), MessageType.HELLO)
                .versions(FrameHeader.VERSION, FrameHeader.VERSION).maxDatagram(options.maxDatagram())
                .securityMode(options.securityMode()).clientId(options.clientId()).putClientNonce(nonce);
        begin(MessageType.HELLO, hello.encodedLength(), sender, nowNanos);
    }

    /**
     * Repeats the message sent last when its timeout passed.
     *
     * @param sender the receive thread's sender
     * @param nowNanos the current time
     * @return the failure when the tries or the deadline are used up, or the server's refusal
     *     when no COOKIE accepted the HELLO before its timeout; else null
     */
    RemoteException onTimer(Sender sender, long nowNanos) {
        if (deadlineNanos != Long.MAX_VALUE && nowNanos - deadlineNanos >= 0) {
            return refusal != null ? refusal : failure("the time to connect ran out");
        }
        if (nowNanos - nextTryNanos < 0) {
            return null;
        }
        if (refusal != null) {
            return refusal;
        }
        if (tries == TRIES && sending == MessageType.AUTHENTICATE && !restarted) {
            restarted = true;
            start(sender, nowNanos);
            return null;
        }
        if (tries == TRIES) {
            return failure(TRIES + " tries");
        }
        timeoutNanos *= 2;
        send(sender, nowNanos);
        return null;
    }

    /**
     * Returns when {@link #onTimer} has something to do next.
     *
     * @return a time as {@link System#nanoTime()}
     */
    long nextTimerNanos() {
        return deadlineNanos == Long.MAX_VALUE ? nextTryNanos : Math.min(nextTryNanos, deadlineNanos);
    }

    /**
     * Answers a COOKIE with AUTHENTICATE.
     *
     * A COOKIE refusing the handshake (such as {@code UNSUPPORTED_VERSION}) is kept: it ends
     * the handshake at HELLO's next timeout unless an accepting COOKIE comes first.
     *
     * @param cookie the COOKIE, wrapped
     * @param echoedRequestId the request id of its frame
     * @param echoedSequence the sequence of its frame
     * @param sender the receive thread's sender
     * @param nowNanos the current time
     * @return false when the COOKIE answers no HELLO of this handshake (drop it)
     */
    boolean onCookie(Cookie cookie, long echoedRequestId, long echoedSequence, Sender sender,
            long nowNanos) {
        if (sending != MessageType.HELLO || !echoes(echoedRequestId, echoedSequence)) {
            return false;
        }
        if (cookie.status() != Status.OK) {
            refusal = new RemoteException("the server at " + options.server() + " refused the handshake", cookie.status());
            return true;
        }
        byte[] echoed = new byte[Cookie.COOKIE_LENGTH];
        cookie.cookie(echoed);
        authenticate.encode(message, 0, (int) message.byteSize(), MessageType.AUTHENTICATE)
                .version(cookie.version()).maxDatagram(options.maxDatagram()).securityMode(options.securityMode())
                .clientId(options.clientId()).putClientNonce(nonce).putCookie(echoed)
                .versions(FrameHeader.VERSION, FrameHeader.VERSION);
        Handshake.sign(options.pskForHandshake(), authenticate);
        begin(MessageType.AUTHENTICATE, authenticate.encodedLength(), sender, nowNanos);
        authenticateSentNanos = nowNanos;
        return true;
    }

    /**
     * Verifies an ACCEPT and derives the session.
     *
     * @param accept the ACCEPT, wrapped
     * @param echoedRequestId the request id of its frame
     * @param echoedSequence the sequence of its frame
     * @return the session, or null when the ACCEPT answers no AUTHENTICATE of this handshake
     * @throws AuthenticationException if the server proof does not verify (drop it)
     * @throws RemoteException if the server refused, or fixed a version, datagram size or
     *     protection the client cannot use
     */
    Session onAccept(Accept accept, long echoedRequestId, long echoedSequence) {
        if (sending != MessageType.AUTHENTICATE || !echoes(echoedRequestId, echoedSequence)) {
            return null;
        }
        Handshake.verify(options.pskForHandshake(), authenticate, accept);
        if (accept.status() != Status.OK) {
            throw new RemoteException("the server at " + options.server() + " refused the session", accept.status());
        }
        if (accept.version() != FrameHeader.VERSION) {
            throw new RemoteException("the server fixed protocol version " + accept.version() + "; the client speaks "
                    + FrameHeader.VERSION, Status.UNSUPPORTED_VERSION);
        }
        int maxDatagram = accept.maxDatagram();
        if (maxDatagram < ClientOptions.MIN_DATAGRAM || maxDatagram > options.maxDatagram()) {
            throw new RemoteException("the server fixed a maximum datagram of " + maxDatagram + " bytes, outside "
                    + ClientOptions.MIN_DATAGRAM + ".." + options.maxDatagram(), null);
        }
        SecurityMode mode = accept.securityMode();
        if (mode != options.securityMode() && mode != SecurityMode.ENCRYPTED) {
            throw new RemoteException("the server fixed protection " + mode + "; the client asked for "
                    + options.securityMode(), null);
        }
        return new Session(accept.sessionId(), Handshake.keys(options.pskForHandshake(), authenticate, accept), mode,
                maxDatagram, TimeUnit.SECONDS.toNanos(accept.keepAliveSeconds()), accept.credits(),
                new Fragmenter(maxDatagram, true));
    }

    /**
     * Returns the round trip of AUTHENTICATE, if unambiguous (sent once).
     *
     * @param nowNanos when ACCEPT arrived
     * @return nanoseconds, or -1 when AUTHENTICATE was sent more than once
     */
    long roundTripNanos(long nowNanos) {
        return tries == 1 ? nowNanos - authenticateSentNanos : -1;
    }

    /** Tells whether a frame echoes this handshake's request id and the sequence of a try of the message sent. */
    private boolean echoes(long echoedRequestId, long echoedSequence) {
        long attempt = echoedSequence - firstSequence; // wraps like the sequences did
        return echoedRequestId == requestId && attempt >= 0 && attempt < tries;
    }

    private void begin(MessageType type, int encodedLength, Sender sender, long nowNanos) {
        sending = type;
        length = encodedLength;
        tries = 0;
        firstSequence = random.nextLong();
        timeoutNanos = FIRST_TIMEOUT_NANOS;
        send(sender, nowNanos);
    }

    private void send(Sender sender, long nowNanos) {
        tries++;
        nextTryNanos = nowNanos + timeoutNanos;
        try {
            sender.sendUnprotected(message, length, requestId, firstSequence + tries - 1);
        } catch (IOException e) {
            // lost like a datagram on the network (the server may be restarting): tried again later
        }
    }

    private RemoteTimeoutException failure(String what) {
        return new RemoteTimeoutException("no " + (sending == MessageType.HELLO ? "COOKIE" : "ACCEPT")
                + " from the server at " + options.server() + " after " + what + " of " + sending
                + (sending == MessageType.AUTHENTICATE ? " (is client " + Long.toUnsignedString(options.clientId())
                + " registered with this key?)" : ""));
    }
}

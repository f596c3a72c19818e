package io.coems.nvsp.server;

import io.coems.nvsp.SecurityMode;
import io.coems.nvsp.crypto.Direction;
import io.coems.nvsp.crypto.Opener;
import io.coems.nvsp.crypto.Sealer;
import io.coems.nvsp.crypto.SessionKeys;
import io.coems.nvsp.frame.Fragmenter;
import io.coems.nvsp.frame.FrameHeader;
import io.coems.vvm.Client;
import io.coems.vvm.Volume;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's state of one established session (spec 6): its keys with one opener for the
 * receive thread and one sealer per sending thread (all drawing from the one
 * {@link SessionKeys}, so sequences stay unique), the negotiated parameters, the client's
 * address, its duplicate-request cache, its jobs (one per credit) and its scheduler flow.
 *
 * <p>Threading: the receive thread owns the opener and the time last heard; each sending thread
 * uses only its own sealer slot; jobs, the cache and the flow are thread-safe or guarded by
 * their owners.
 */
final class Session {
    private static final Logger LOG = LoggerFactory.getLogger(Session.class);

    final long id;
    final ClientState client;
    final SecurityMode mode;
    final int maxDatagram;
    final int credits;
    final Fragmenter fragmenter;
    final DuplicateCache cache;
    final Flow flow;
    /** The ACCEPT message, to answer a repeated AUTHENTICATE with the same one. */
    final byte[] accept;
    /** The key of the AUTHENTICATE that made the session. */
    final Receiver.HandshakeKey handshakeKey;
    /** The pre-shared key the session was opened with (its keys derive from it). */
    private final byte[] grantedKey;
    final Opener opener;
    private final SessionKeys keys;
    private final Sealer[] sealers;
    private final ArrayDeque<Job> freeJobs;
    /** Requests taken a job for and not yet answered (nor abandoned); guarded by freeJobs. */
    private int unfinished;
    /** Whether a CLOSE waits for the running requests to be answered; guarded by freeJobs. */
    private boolean closeAnswerDue;
    private long closeRequestId;
    private final AtomicInteger logged = new AtomicInteger();
    private final InetSocketAddress address;
    private volatile boolean closed;
    private volatile Volume lastVolume;
    private long lastHeardNanos;

    /**
     * Creates an established session.
     *
     * @param id the session id, not 0
     * @param client the client's state
     * @param keys the session keys
     * @param mode the negotiated protection
     * @param maxDatagram the negotiated maximum datagram
     * @param credits the requests the client may have in flight
     * @param accept the encoded ACCEPT
     * @param handshakeKey the key of the AUTHENTICATE (client id and nonce)
     * @param grantedKey the client's pre-shared key that verified it
     * @param address where the client sends from
     * @param senders how many threads send datagrams of this session
     * @param nowNanos the current time
     */
    Session(long id, ClientState client, SessionKeys keys, SecurityMode mode, int maxDatagram,
            int credits, byte[] accept, Receiver.HandshakeKey handshakeKey, byte[] grantedKey,
            InetSocketAddress address, int senders, long nowNanos) {
        this.id = id;
        this.client = client;
        this.keys = keys;
        this.mode = mode;
        this.maxDatagram = maxDatagram;
        this.credits = credits;
        this.fragmenter = new Fragmenter(maxDatagram, true);
        this.cache = new DuplicateCache(credits * 4);
        this.flow = client.flow();
        this.accept = accept;
        this.handshakeKey = handshakeKey;
        this.grantedKey = Objects.requireNonNull(grantedKey, "grantedKey").clone();
        this.address = address;
        this.opener = keys.opener(Direction.CLIENT_TO_SERVER, mode);
        this.sealers = new Sealer[senders];
        this.freeJobs = new ArrayDeque<>(credits);
        for (int i = 0; i < credits; i++) {
            freeJobs.add(new Job(this, flow));
        }
        this.lastHeardNanos = nowNanos;
    }

    /** Whether {@code client} still holds the key this session was opened with (compared in constant time). */
    boolean keyStillGranted(Client client) {
        return ClientKeys.key(client).map(key -> MessageDigest.isEqual(key, grantedKey)).orElse(false);
    }

    /** The payload room of one protected datagram of this session. */
    int payloadRoom() {
        return maxDatagram - FrameHeader.LENGTH - FrameHeader.TAG_LENGTH;
    }

    /** The sealer of sending thread {@code sender}; each thread uses only its own. */
    Sealer sealer(int sender) {
        Sealer sealer = sealers[sender];
        if (sealer == null) {
            sealer = keys.sealer(Direction.SERVER_TO_CLIENT, mode);
            sealers[sender] = sealer;
        }
        return sealer;
    }

    /**
     * A free job, or null when the client has as many requests in flight as credits. The request
     * it carries counts as unfinished until {@link #finished()}.
     */
    Job takeJob() {
        synchronized (freeJobs) {
            Job job = freeJobs.pollFirst();
            if (job != null) {
                unfinished++;
            }
            return job;
        }
    }

    /** Gives a job back once its request has run (or will not run); its buffer is free again. */
    void releaseJob(Job job, BufferPool buffers) {
        job.clear(buffers);
        synchronized (freeJobs) {
            freeJobs.addLast(job);
        }
    }

    /**
     * A request taken with {@link #takeJob()} is answered, or will never run.
     *
     * @return true if it was the last unfinished request of a session the client closed: the
     *     caller answers that CLOSE now ({@link #closeRequestId()})
     */
    boolean finished() {
        synchronized (freeJobs) {
            unfinished--;
            if (closeAnswerDue && unfinished == 0) {
                closeAnswerDue = false;
                return true;
            }
            return false;
        }
    }

    /** Gives back a job whose request will not run: {@link #releaseJob} and {@link #finished()}. */
    void abandon(Job job, BufferPool buffers) {
        releaseJob(job, buffers);
        finished();
    }

    /**
     * The client sent CLOSE (request {@code requestId}) and its queued requests were dropped.
     *
     * @return true if no request is running: answer CLOSE_RESPONSE now; else the worker that
     *     finishes the last running one answers it ({@link #finished()})
     */
    boolean closeWhenIdle(long requestId) {
        synchronized (freeJobs) {
            if (unfinished == 0) {
                return true;
            }
            closeRequestId = requestId;
            closeAnswerDue = true;
            return false;
        }
    }

    /** The request id of the client's CLOSE whose answer waits for running requests. */
    long closeRequestId() {
        synchronized (freeJobs) {
            return closeRequestId;
        }
    }

    /**
     * Where the client authenticated from: the only address the session answers. It never moves,
     * so a spoofed source cannot turn the server into a reflector aimed at someone else.
     */
    InetSocketAddress address() {
        return address;
    }

    /** Records the time of an authenticated datagram. Receive thread. */
    void heard(long nowNanos) {
        lastHeardNanos = nowNanos;
    }

    /** When the last authenticated datagram arrived. Receive thread. */
    long lastHeardNanos() {
        return lastHeardNanos;
    }

    boolean isClosed() {
        return closed;
    }

    void markClosed() {
        closed = true;
    }

    /** The volume handle used last, to spare a lookup; may be stale, so callers check its id. */
    Volume lastVolume() {
        return lastVolume;
    }

    void lastVolume(Volume volume) {
        lastVolume = volume;
    }

    /**
     * Counts a datagram or request not executed and logs it at warn, the first time of each
     * cause in this session only.
     */
    void dropped(Drop cause, String detail) {
        client.dropped(cause);
        int bit = 1 << cause.ordinal();
        if ((logged.getAndUpdate(bits -> bits | bit) & bit) == 0) {
            LOG.warn("session {} of client {} ({}): {}: {} (logged once per session)", hex(id), client.id(),
                    client.name(), cause.description(), detail);
        }
    }

    /** A session id as the logs show it. */
    static String hex(long sessionId) {
        return "0x" + Long.toHexString(sessionId);
    }

    @Override
    public String toString() {
        return "session " + hex(id) + " of client " + client.id() + " (" + client.name() + ")";
    }
}

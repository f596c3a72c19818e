package io.coems.nvsp.server;

import io.coems.nvsp.SequenceExhaustedException;
import io.coems.nvsp.crypto.Sealer;
import io.coems.nvsp.frame.FrameHeader;
import io.coems.nvsp.message.Nack;
import io.coems.nvsp.transport.DatagramBatch;
import io.coems.nvsp.transport.DatagramPort;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sending thread's way out: a {@link DatagramBatch} (datagrams are sealed in its heap
 * buffer, in one pass of the JDK's GCM intrinsic), a frame header flyweight and the thread's
 * sealer slot of each session. A response that fits one datagram is encoded straight into
 * {@link #segment()} at {@link #PAYLOAD}, sealed there in place and sent with
 * {@link #sendSingle}; a longer one, in a heap array of the {@link BufferPool}, is split by the
 * session's fragmenter: each fragment's header is written into the next slot of the batch and
 * its payload sealed into it from the array ({@link Sealer#sealFrom}:
 * encrypted straight from the array in ENCRYPTED mode, copied in and authenticated in
 * INTEGRITY_ONLY), so a fragment is not copied into the datagram before it is encrypted. The
 * batch goes out when full or complete: one system call for up to
 * {@link DatagramPort#MAX_SEGMENTS} datagrams on a batching port. Allocation-free per datagram.
 * Not thread-safe: one per sending thread.
 */
final class Transmitter {
    /** Where a message starts in {@link #segment()}: after the frame header. */
    static final long PAYLOAD = FrameHeader.LENGTH;

    private static final Logger LOG = LoggerFactory.getLogger(Transmitter.class);
    /** How long a worker waits at most for room in a full socket buffer, per batch. */
    static final long WORKER_WAIT_NANOS = 10_000_000;

    private final int sender;
    private final DatagramBatch batch;
    private final MemorySegment segment;
    private final FrameHeader frame = new FrameHeader();

    /**
     * Creates the transmitter of one thread.
     *
     * @param port the server's socket
     * @param sender the thread's index among the senders: its sealer slot in every session
     * @param maxWaitNanos how long to wait at most for room in a full socket buffer, per
     *     batch; 0 for never (the receive thread, which must go on reading)
     */
    Transmitter(DatagramPort port, int sender, long maxWaitNanos) {
        this.sender = sender;
        this.batch = new DatagramBatch(port, NvspServer.MAX_DATAGRAM, maxWaitNanos);
        this.segment = batch.segment();
    }

    /** The datagram memory; a single-datagram message is encoded at {@link #PAYLOAD}. */
    MemorySegment segment() {
        return segment;
    }

    /**
     * Seals and sends the message encoded at {@link #PAYLOAD} as one datagram of the session.
     *
     * @param length the message length, at most the session's payload room
     */
    void sendSingle(Session session, long requestId, int length) {
        frame.encode(segment, 0, session.maxDatagram).sessionId(session.id).requestId(requestId)
                .credits(session.credits).payloadLength(length);
        int sealed = seal(session);
        if (sealed > 0) {
            transmit(session.address(), sealed);
        }
    }

    /** Sends a message held in an array from index 0, in as many fragments as it needs. */
    void send(Session session, long requestId, byte[] message, int length) {
        int count = session.fragmenter.fragmentCount(length);
        try {
            for (int i = 0; i < count; i++) {
                addFragment(session, requestId, message, length, i);
            }
            flushed(batch.flush(), session.address());
        } catch (IOException e) {
            failed(e, session.address());
        } finally {
            batch.discard(); // empty after an exception too: single datagrams are written at offset 0
        }
    }

    /** Sends again the fragments of a message that a client's NACK names as missing. */
    void resend(Session session, long requestId, byte[] message, int length, Nack nack) {
        int count = session.fragmenter.fragmentCount(length);
        try {
            for (int i = 0; i < Math.min(count, nack.fragmentCount()); i++) {
                if (nack.isMissing(i)) {
                    addFragment(session, requestId, message, length, i);
                }
            }
            flushed(batch.flush(), session.address());
        } catch (IOException e) {
            failed(e, session.address());
        } finally {
            batch.discard(); // empty after an exception too: single datagrams are written at offset 0
        }
    }

    /**
     * Sends the message encoded at {@link #PAYLOAD} unprotected: a handshake answer or an
     * UNKNOWN_SESSION error, echoing the datagram it answers.
     */
    void sendPlain(InetSocketAddress to, long sessionId, long sequence, long requestId, int length) {
        frame.encode(segment, 0, (int) segment.byteSize()).sessionId(sessionId).sequence(sequence).requestId(requestId)
                .payloadLength(length);
        transmit(to, frame.frameLength());
    }

    /**
     * Seals a fragment into the next slot of the batch, its payload taken from the message.
     * Every fragment but a message's last fills a whole datagram (the fragmenter's promise), so
     * the batch's datagrams have the session's size and the last, shorter one ends it.
     */
    private void addFragment(Session session, long requestId, byte[] message, int length, int index)
            throws IOException {
        int offset = batch.reserve(session.maxDatagram, session.address());
        frame.encode(segment, offset, session.maxDatagram).sessionId(session.id).requestId(requestId)
                .credits(session.credits);
        int start = session.fragmenter.writeFragmentHeader(frame, length, index);
        int sealed = seal(session, message, start);
        if (sealed > 0) {
            flushed(batch.add(sealed), session.address());
        }
    }

    /** Seals the datagram whose header {@link #frame} wraps; its length, or 0 if the session must end. */
    private int seal(Session session) {
        return seal(session, null, 0);
    }

    /**
     * Seals the datagram whose header {@link #frame} wraps, its payload in the datagram or, when
     * {@code payload} is not null, in {@code payload} from {@code at}; its length, or 0 if the
     * session must end.
     */
    private int seal(Session session, byte[] payload, int at) {
        try {
            Sealer sealer = session.sealer(sender);
            return payload == null ? sealer.seal(frame) : sealer.sealFrom(frame, payload, at);
        } catch (SequenceExhaustedException e) {
            session.markClosed();
            LOG.warn("{}: {}", session, e.getMessage());
            return 0;
        }
    }

    /** Sends the one datagram at the start of the batch memory. */
    private void transmit(InetSocketAddress to, int length) {
        try {
            batch.reserve(length, to);
            flushed(batch.add(length) && batch.flush(), to);
        } catch (IOException e) {
            failed(e, to);
        }
    }

    /** Datagrams a full socket buffer refused are lost like any other: retransmission recovers them. */
    private static void flushed(boolean sent, InetSocketAddress to) {
        if (!sent) {
            LOG.debug("datagrams to {} were not sent: the socket buffer stayed full", to);
        }
    }

    private static void failed(IOException e, InetSocketAddress to) {
        if (e instanceof ClosedChannelException) {
            LOG.debug("datagrams to {} were not sent: the socket is closed", to);
        } else {
            LOG.debug("sending datagrams to {} failed: {}", to, e.toString());
        }
    }
}

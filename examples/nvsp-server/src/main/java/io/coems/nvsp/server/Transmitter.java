package io.coems.nvsp.server;

import io.coems.nvsp.SequenceExhaustedException;
import io.coems.nvsp.frame.FrameHeader;
import io.coems.nvsp.message.Nack;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sending thread's way out: a heap datagram buffer (sealed in place in one pass of the
 * JDK's GCM intrinsic; the channel copies it through the thread's native buffer), a frame
 * header flyweight and the thread's sealer slot of each session. A response that fits one datagram is encoded straight
 * into {@link #segment()} at {@link #PAYLOAD} and sent with {@link #sendSingle}; a longer one is
 * split by the session's fragmenter, each fragment copied into the datagram, sealed in place
 * and sent. Allocation-free per datagram. Not thread-safe: one per sending thread.
 */
final class Transmitter {
    /** Where a message starts in {@link #segment()}: after the frame header. */
    static final long PAYLOAD = FrameHeader.LENGTH;

    private static final Logger LOG = LoggerFactory.getLogger(Transmitter.class);
    /** How long a worker waits at most for room in a full socket buffer, per datagram. */
    static final long WORKER_WAIT_NANOS = 10_000_000;
    private static final long SEND_RETRY_NANOS = 20_000;

    private final DatagramChannel channel;
    private final int sender;
    private final long sendTries;
    private final ByteBuffer datagram;
    private final MemorySegment segment;
    private final FrameHeader frame = new FrameHeader();

    /**
     * Creates the transmitter of one thread.
     *
     * @param channel the server's channel
     * @param sender the thread's index among the senders: its sealer slot in every session
     * @param capacity the largest datagram
     * @param maxWaitNanos how long to wait at most for room in a full socket buffer, per
     *     datagram; 0 for never (the receive thread, which must go on reading)
     */
    Transmitter(DatagramChannel channel, int sender, int capacity, long maxWaitNanos) {
        this.channel = channel;
        this.sender = sender;
        this.sendTries = 1 + maxWaitNanos / SEND_RETRY_NANOS;
        this.datagram = ByteBuffer.allocate(capacity);
        this.segment = MemorySegment.ofBuffer(datagram);
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
        sealAndSend(session);
    }

    /** Sends a message held elsewhere, in as many fragments as it needs. */
    void send(Session session, long requestId, MemorySegment message, long at, int length) {
        int count = session.fragmenter.fragmentCount(length);
        for (int i = 0; i < count; i++) {
            sendFragment(session, requestId, message, at, length, i);
        }
    }

    /** Sends again the fragments of a message that a client's NACK names as missing. */
    void resend(Session session, long requestId, MemorySegment message, int length, Nack nack) {
        int count = session.fragmenter.fragmentCount(length);
        for (int i = 0; i < Math.min(count, nack.fragmentCount()); i++) {
            if (nack.isMissing(i)) {
                sendFragment(session, requestId, message, 0, length, i);
            }
        }
    }

    /**
     * Sends the message encoded at {@link #PAYLOAD} unprotected: a handshake answer or an
     * UNKNOWN_SESSION error, echoing the datagram it answers.
     */
    void sendPlain(InetSocketAddress to, long sessionId, long sequence, long requestId, int length) {
        frame.encode(segment, 0, datagram.capacity()).sessionId(sessionId).sequence(sequence).requestId(requestId)
                .payloadLength(length);
        transmit(frame.frameLength(), to);
    }

    private void sendFragment(Session session, long requestId, MemorySegment message, long at, int length, int index) {
        frame.encode(segment, 0, session.maxDatagram).sessionId(session.id).requestId(requestId)
                .credits(session.credits);
        session.fragmenter.writeFragment(frame, message, at, length, index);
        sealAndSend(session);
    }

    private void sealAndSend(Session session) {
        int length;
        try {
            length = session.sealer(sender).seal(frame);
        } catch (SequenceExhaustedException e) {
            session.markClosed();
            LOG.warn("{}: {}", session, e.getMessage());
            return;
        }
        transmit(length, session.address());
    }

    /** Sends, waiting out a full socket buffer for a while; a datagram that cannot go is lost like any other. */
    private void transmit(int length, InetSocketAddress to) {
        datagram.clear().limit(length);
        try {
            for (long tries = 1; ; tries++) {
                if (channel.send(datagram, to) > 0) {
                    return;
                }
                if (tries == sendTries) {
                    break;
                }
                LockSupport.parkNanos(SEND_RETRY_NANOS);
            }
            LOG.debug("a datagram of {} bytes to {} could not be sent: the socket buffer stayed full", length, to);
        } catch (ClosedChannelException e) {
            LOG.debug("a datagram to {} was not sent: the channel is closed", to);
        } catch (IOException e) {
            LOG.debug("sending a datagram to {} failed: {}", to, e.toString());
        }
    }
}

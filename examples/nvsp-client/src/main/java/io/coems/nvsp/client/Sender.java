package io.coems.nvsp.client;

import io.coems.nvsp.crypto.Direction;
import io.coems.nvsp.crypto.Sealer;
import io.coems.nvsp.frame.FrameHeader;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.locks.LockSupport;

/**
 * What one thread needs to send datagrams: a heap datagram buffer (sealed in place in one pass
 * of the JDK's GCM intrinsic; the channel copies it through its thread's native buffer), a
 * frame header flyweight and a {@link Sealer} of the current session (made again when the
 * session changes; every sealer of a session draws from its one sequence). Not thread-safe: each sending thread uses
 * its own, so no sealer is ever shared.
 *
 * <p>The channel is non-blocking (its receive side is driven by a selector); when the socket's
 * send buffer is full a write is retried after short pauses, and given up, as if lost on the
 * network, after about 10 ms: retransmission recovers it.
 */
final class Sender {
    private static final int FULL_BUFFER_RETRIES = 200;
    private static final long FULL_BUFFER_PAUSE_NANOS = 50_000;

    private final ByteBuffer datagram;
    private final MemorySegment segment;
    private final FrameHeader frame = new FrameHeader();
    private final long wantedCredits;
    private final SentLog sent;
    private Sealer sealer;
    private Session sealerSession;

    /**
     * Creates a sender.
     *
     * @param capacity the largest datagram it sends
     * @param wantedCredits the credits every datagram asks for
     * @param sent where each protected datagram's sequence and request id are recorded
     */
    Sender(int capacity, long wantedCredits, SentLog sent) {
        this.datagram = ByteBuffer.allocate(capacity);
        this.segment = MemorySegment.ofBuffer(datagram);
        this.wantedCredits = wantedCredits;
        this.sent = sent;
    }

    /**
     * Seals and sends one fragment of a message.
     *
     * @param session the session
     * @param channel the channel, connected to the server
     * @param message the encoded message
     * @param length its length
     * @param requestId the request id all its fragments carry
     * @param index the fragment to send
     * @throws IOException if the socket fails
     */
    void sendFragment(Session session, DatagramChannel channel, MemorySegment message, int length,
            long requestId, int index) throws IOException {
        begin(session, requestId);
        session.fragmenter().writeFragment(frame, message, 0, length, index);
        write(channel, sealed(session));
    }

    /**
     * Starts a protected datagram whose payload the caller encodes at
     * {@link FrameHeader#LENGTH} of {@link #segment()}, then sends with {@link #seal}.
     *
     * @param session the session
     * @param requestId the request id of the datagram
     * @return the room for the payload, in bytes
     */
    int begin(Session session, long requestId) {
        frame.encode(segment, 0, session.maxDatagram()).sessionId(session.id()).requestId(requestId)
                .credits(wantedCredits);
        return session.maxDatagram() - FrameHeader.LENGTH - FrameHeader.TAG_LENGTH;
    }

    /**
     * Seals and sends the datagram {@link #begin} started.
     *
     * @param session the session it was begun for
     * @param channel the channel
     * @param payloadLength the length of the payload encoded
     * @throws IOException if the socket fails
     */
    void seal(Session session, DatagramChannel channel, int payloadLength) throws IOException {
        frame.payloadLength(payloadLength);
        write(channel, sealed(session));
    }

    private int sealed(Session session) {
        int length = sealer(session).seal(frame);
        sent.record(frame.sequence(), frame.requestId());
        return length;
    }

    /**
     * Sends a handshake message in an unprotected frame with session id 0.
     *
     * @param channel the channel
     * @param message the encoded message, at offset 0
     * @param length its length
     * @param requestId the request id, echoed by the answer
     * @param sequence the sequence, echoed by the answer
     * @throws IOException if the socket fails
     */
    void sendUnprotected(DatagramChannel channel, MemorySegment message, int length, long requestId,
            long sequence) throws IOException {
        frame.encode(segment, 0, (int) segment.byteSize()).requestId(requestId).sequence(sequence)
                .credits(wantedCredits).payloadLength(length);
        MemorySegment.copy(message, 0, segment, frame.payloadOffset(), length);
        write(channel, frame.frameLength());
    }

    /**
     * Returns the datagram buffer, for encoding a payload after {@link #begin}.
     *
     * @return the segment over the datagram
     */
    MemorySegment segment() {
        return segment;
    }

    private Sealer sealer(Session session) {
        if (sealerSession != session) {
            sealer = session.keys().sealer(Direction.CLIENT_TO_SERVER, session.mode());
            sealerSession = session;
        }
        return sealer;
    }

    private void write(DatagramChannel channel, int length) throws IOException {
        datagram.clear().limit(length);
        for (int retries = 0; channel.write(datagram) == 0 && retries < FULL_BUFFER_RETRIES; retries++) {
            LockSupport.parkNanos(FULL_BUFFER_PAUSE_NANOS);
        }
    }
}

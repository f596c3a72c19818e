package io.coems.nvsp.client;

import io.coems.nvsp.crypto.Direction;
import io.coems.nvsp.crypto.Sealer;
import io.coems.nvsp.frame.FrameHeader;
import io.coems.nvsp.message.Nack;
import io.coems.nvsp.transport.DatagramBatch;
import io.coems.nvsp.transport.DatagramPort;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * What one thread needs to send datagrams: a {@link DatagramBatch} (datagrams are sealed in place
 * in its heap buffer, in one pass of the JDK's GCM intrinsic), a frame header flyweight and a
 * {@link Sealer} of the current session (made again when the session changes; every sealer of a
 * session draws from its one sequence). Not thread-safe: each sending thread uses its own, so no
 * sealer is ever shared.
 *
 * <p>The fragments of a message are sealed into the batch one after the other and go out
 * together: one system call for up to {@link DatagramPort#MAX_SEGMENTS} datagrams on a batching
 * port. When the socket's send buffer is full a batch is retried after short pauses, and given
 * up, as if lost on the network, after about 10 ms: retransmission recovers it.
 */
final class Sender {
    private static final long FULL_BUFFER_WAIT_NANOS = 10_000_000;

    private final DatagramBatch batch;
    private final MemorySegment segment;
    private final FrameHeader frame = new FrameHeader();
    private final long wantedCredits;
    private final SentLog sent;
    private Sealer sealer;
    private Session sealerSession;

    /**
     * Creates a sender.
     *
     * @param port the socket, connected to the server
     * @param maxDatagram the largest datagram the client sends
     * @param wantedCredits the credits every datagram asks for
     * @param sent where each protected datagram's sequence and request id are recorded
     */
    Sender(DatagramPort port, int maxDatagram, long wantedCredits, SentLog sent) {
        // a batch of 64 KiB where the port sends it in one call; one datagram where it does not
        this.batch = new DatagramBatch(port, port.batching() ? DatagramPort.MAX_BATCH : maxDatagram,
                FULL_BUFFER_WAIT_NANOS);
        this.segment = batch.segment();
        this.wantedCredits = wantedCredits;
        this.sent = sent;
    }

    /**
     * Seals and sends the fragments of a message: all of them, or those a NACK names as missing.
     *
     * @param session the session
     * @param message the encoded message
     * @param length its length
     * @param requestId the request id all its fragments carry
     * @param missing the server's NACK, or null to send every fragment
     * @return how many fragments were sent
     * @throws IOException if the socket fails
     */
    int sendMessage(Session session, MemorySegment message, int length, long requestId, Nack missing)
            throws IOException {
        int count = session.fragmenter().fragmentCount(length);
        int fragments = 0;
        try {
            for (int i = 0; i < count; i++) {
                if (missing == null || missing.isMissing(i)) {
                    int offset = batch.reserve(session.maxDatagram(), null);
                    frame.encode(segment, offset, session.maxDatagram()).sessionId(session.id())
                            .requestId(requestId).credits(wantedCredits);
                    session.fragmenter().writeFragment(frame, message, 0, length, i);
                    batch.add(sealed(session));
                    fragments++;
                }
            }
            batch.flush();
        } finally {
            batch.discard(); // empty after an exception too: begin() writes at offset 0
        }
        return fragments;
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
     * @param payloadLength the length of the payload encoded
     * @throws IOException if the socket fails
     */
    void seal(Session session, int payloadLength) throws IOException {
        frame.payloadLength(payloadLength);
        sendOne(sealed(session));
    }

    private int sealed(Session session) {
        int length = sealer(session).seal(frame);
        sent.record(frame.sequence(), frame.requestId());
        return length;
    }

    /**
     * Sends a handshake message in an unprotected frame with session id 0.
     *
     * @param message the encoded message, at offset 0
     * @param length its length
     * @param requestId the request id, echoed by the answer
     * @param sequence the sequence, echoed by the answer
     * @throws IOException if the socket fails
     */
    void sendUnprotected(MemorySegment message, int length, long requestId, long sequence) throws IOException {
        frame.encode(segment, 0, (int) segment.byteSize()).requestId(requestId).sequence(sequence)
                .credits(wantedCredits).payloadLength(length);
        MemorySegment.copy(message, 0, segment, frame.payloadOffset(), length);
        sendOne(frame.frameLength());
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

    /** Sends the one datagram at the start of the batch memory. */
    private void sendOne(int length) throws IOException {
        batch.reserve(length, null);
        batch.add(length);
        batch.flush();
    }
}

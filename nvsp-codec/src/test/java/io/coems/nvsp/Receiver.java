package io.coems.nvsp;

import io.coems.nvsp.crypto.Direction;
import io.coems.nvsp.crypto.TestCiphers;
import io.coems.nvsp.frame.FrameHeader;
import io.coems.nvsp.frame.Reassembler;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;

/**
 * Test helper: the receive path of a peer. Wraps the frame header, opens the datagram with the
 * vectors' session keys when the session is protected (a fresh replay window each time; the
 * session's mode decides, never the datagram's flags; like a capture tool that holds the keys
 * of both directions, it tries the client-to-server key, then the server-to-client key),
 * reassembles fragments and decodes whole messages. Its clock advances one tick per datagram
 * and a reassembly slot expires more than {@value #TIMEOUT_TICKS} tick after its first fragment, so
 * incomplete messages never stop it from reassembling later ones. Each datagram sits in a segment of exactly its length, so a read
 * outside it would raise IndexOutOfBoundsException instead of passing unnoticed.
 */
public final class Receiver {
    private final AnyMessage any = new AnyMessage();
    private final FrameHeader frame = new FrameHeader();
    private static final long TIMEOUT_TICKS = 1;

    private final Reassembler reassembler = new Reassembler(2, 2, 4096, 16, TIMEOUT_TICKS);
    private long clock;
    private boolean reachedBody;

    /**
     * Returns the protection of the session a valid datagram belongs to, from its flags.
     *
     * @return the mode, or null for an unprotected (handshake) datagram
     */
    public static SecurityMode sessionMode(byte[] datagram) {
        int flags = datagram[1];
        if ((flags & FrameHeader.FLAG_AUTHENTICATED) == 0) {
            return null;
        }
        return (flags & FrameHeader.FLAG_ENCRYPTED) != 0 ? SecurityMode.ENCRYPTED : SecurityMode.INTEGRITY_ONLY;
    }

    /**
     * Receives one datagram on a session, decrypting it in place.
     *
     * @param session the session's protection, null for an unprotected session
     * @return "frame | message" for a whole message, "frame | payload hex" for a fragment
     */
    public String receive(byte[] datagram, SecurityMode session) {
        clock++;
        reachedBody = false;
        MemorySegment segment = MemorySegment.ofArray(datagram);
        frame.wrap(segment, 0, datagram.length);
        String described = frame + " | ";
        if (session != null) {
            open(frame, session);
        }
        reachedBody = true;
        if (frame.fragmentCount() == 1) {
            return described + any.describe(segment, frame.payloadOffset(), frame.payloadLength());
        }
        String payload = "payload " + HexFormat.of().formatHex(datagram, FrameHeader.LENGTH,
                FrameHeader.LENGTH + frame.payloadLength());
        if (reassembler.accept(frame, clock) == Reassembler.Outcome.COMPLETE) {
            try {
                payload = any.describe(reassembler.message(), 0, reassembler.messageLength());
            } finally {
                reassembler.release();
            }
        }
        return described + payload;
    }

    /**
     * Tells whether the last datagram got past the frame header (and the opener) to the
     * reassembler or a message decoder, whether or not those then rejected it.
     */
    public boolean reachedBody() {
        return reachedBody;
    }

    /**
     * Opens a protected datagram with the vectors' session keys, each with a fresh replay window.
     *
     * @return the direction whose key opened it
     * @throws AuthenticationException if neither key does
     */
    public static Direction open(FrameHeader frame, SecurityMode session) {
        try {
            TestCiphers.opener(Vectors.KEYS.key(Direction.CLIENT_TO_SERVER), session).open(frame);
            return Direction.CLIENT_TO_SERVER;
        } catch (AuthenticationException notClientToServer) {
            TestCiphers.opener(Vectors.KEYS.key(Direction.SERVER_TO_CLIENT), session).open(frame);
            return Direction.SERVER_TO_CLIENT;
        }
    }
}

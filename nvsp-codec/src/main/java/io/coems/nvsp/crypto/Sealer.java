package io.coems.nvsp.crypto;

import io.coems.nvsp.EncodingException;
import io.coems.nvsp.SecurityMode;
import io.coems.nvsp.SequenceExhaustedException;
import io.coems.nvsp.frame.FrameHeader;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;

/**
 * Protects the datagrams one side sends: assigns each the next packet sequence (so an AES-GCM
 * nonce is never used twice under one key), sets the flags and the frame length, encrypts the
 * payload in place (or leaves it clear in {@link SecurityMode#INTEGRITY_ONLY}) and appends the
 * 16-byte tag.
 *
 * <p>Allocation per datagram: none by this class once it has seen the datagram's segment (it
 * caches {@code ByteBuffer} views of the last segment used); the JDK allocates a
 * {@code GCMParameterSpec} and, inside {@code Cipher.init}, small per-operation state.
 * Not thread-safe: one sealer per sending thread and direction.
 */
public final class Sealer extends DatagramCipher {
    private long next;

    /**
     * Creates a sealer whose first datagram gets sequence {@code firstSequence}.
     *
     * @param key the traffic key of the sending direction
     * @param mode the negotiated protection
     * @param firstSequence 1 for a new session; another value only to reproduce test vectors
     */
    public Sealer(TrafficKey key, SecurityMode mode, long firstSequence) {
        super(key, mode);
        this.next = firstSequence;
    }

    /**
     * Seals a datagram whose header and payload are written, flags 0 and frame length covering
     * header and payload. The wrapped region must have 16 bytes of room after the payload.
     *
     * @param frame the header, wrapped for encoding over the datagram
     * @return the length of the sealed datagram, to send
     * @throws SequenceExhaustedException after 2<sup>64</sup>-1 datagrams
     * @throws EncodingException if the frame is already protected or the tag does not fit
     */
    public int seal(FrameHeader frame) {
        if (frame.flags() != 0) {
            throw new EncodingException("flags", "the datagram is already sealed");
        }
        if (next == 0) {
            throw new SequenceExhaustedException();
        }
        int payloadLength = frame.payloadLength();
        frame.flags(flags()).sequence(next).payloadLength(payloadLength);
        next++;
        try {
            run(Cipher.ENCRYPT_MODE, frame);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
        return frame.frameLength();
    }

    /**
     * Returns the sequence the next datagram gets.
     *
     * @return the unsigned sequence, 0 when exhausted
     */
    public long nextSequence() {
        return next;
    }
}

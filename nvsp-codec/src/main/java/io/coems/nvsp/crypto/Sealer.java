package io.coems.nvsp.crypto;

import io.coems.nvsp.EncodingException;
import io.coems.nvsp.SecurityMode;
import io.coems.nvsp.SequenceExhaustedException;
import io.coems.nvsp.frame.FrameHeader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.security.GeneralSecurityException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Protects the datagrams one side sends: assigns each the next packet sequence of its
 * direction, sets the flags and the frame length, encrypts the payload (or leaves it clear in
 * {@link SecurityMode#INTEGRITY_ONLY}) and appends the 16-byte tag.
 *
 * <p>Sealers come from {@link SessionKeys#sealer}: every sealer of one session and direction
 * draws from one shared, atomic sequence, so no two datagrams of a direction get the same
 * sequence and an AES-GCM nonce is never used twice under one key, however many threads send.
 *
 * <p>{@link #seal} takes the payload written in the datagram. Datagrams on the heap (segments
 * over a {@code byte[]}) are sealed in place in one pass of the JDK's GCM intrinsic; datagrams
 * in native memory are copied through an array the sealer keeps (as long as the longest
 * datagram it sealed) and back. {@link #sealFrom} takes the payload from an array of the
 * sender's (a fragment in a message buffer) instead: in {@link SecurityMode#ENCRYPTED} it is
 * encrypted from there straight into a heap datagram, which saves copying it into the datagram
 * first; the datagram's bytes are the same either way. Allocation per datagram: none by this
 * class; the JDK allocates a {@code GCMParameterSpec} and, inside {@code Cipher.init}, small
 * per-operation state. A sealer is not thread-safe (it owns a {@code Cipher}): one sealer per
 * sending thread.
 */
public final class Sealer extends DatagramCipher {
    private final AtomicLong sequence;

    /**
     * Creates a sealer drawing sequences from a direction's counter.
     *
     * @param key the traffic key of the sending direction
     * @param mode the negotiated protection
     * @param sequence the direction's next sequence, shared by all its sealers; 0 when exhausted
     */
    Sealer(TrafficKey key, SecurityMode mode, AtomicLong sequence) {
        super(key, mode);
        this.sequence = sequence;
    }

    /**
     * Creates a sealer with a counter of its own; only to reproduce test vectors.
     *
     * @param key the traffic key of the sending direction
     * @param mode the protection
     * @param firstSequence the sequence of the first datagram
     */
    Sealer(TrafficKey key, SecurityMode mode, long firstSequence) {
        this(key, mode, new AtomicLong(firstSequence));
    }

    /**
     * Seals a datagram whose header and payload are written, flags 0 and frame length covering
     * header and payload. The wrapped region must have 16 bytes of room after the payload.
     *
     * @param frame the header, wrapped for encoding over the datagram
     * @return the length of the sealed datagram, to send
     * @throws SequenceExhaustedException after 2<sup>64</sup>-1 datagrams in this direction
     * @throws EncodingException if the frame is already protected or the tag does not fit
     */
    public int seal(FrameHeader frame) {
        if (frame.flags() != 0) {
            throw new EncodingException("flags", "the datagram is already sealed");
        }
        int payloadLength = frame.payloadLength();
        frame.flags(flags()).sequence(takeSequence()).payloadLength(payloadLength);
        try {
            encrypt(frame);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
        return frame.frameLength();
    }

    /**
     * Seals a datagram whose header is written, flags 0 and frame length covering header and
     * payload, taking the payload from {@code payload} rather than from the datagram: the
     * datagram gets exactly the bytes {@link #seal} would give it had the payload been copied
     * to {@link FrameHeader#payloadOffset()} first. In {@link SecurityMode#ENCRYPTED} with the
     * datagram on the heap the payload is encrypted from {@code payload} into the datagram in
     * one pass, without that copy; otherwise (INTEGRITY_ONLY, whose clear payload travels in
     * the datagram, or a datagram in native memory) it is copied in and sealed in place.
     * {@code payload} is only read. The wrapped region must have 16 bytes of room after the
     * payload.
     *
     * @param frame the header, wrapped for encoding over the datagram
     * @param payload the array holding the clear payload
     * @param payloadOffset where it starts there; it is {@link FrameHeader#payloadLength()} bytes
     * @return the length of the sealed datagram, to send
     * @throws SequenceExhaustedException after 2<sup>64</sup>-1 datagrams in this direction
     * @throws EncodingException if the frame is already protected, the tag does not fit or the
     *     payload is not inside {@code payload}
     */
    public int sealFrom(FrameHeader frame, byte[] payload, int payloadOffset) {
        if (frame.flags() != 0) {
            throw new EncodingException("flags", "the datagram is already sealed");
        }
        int payloadLength = frame.payloadLength();
        if (payloadOffset < 0 || payloadOffset > payload.length - payloadLength) {
            throw new EncodingException("payload", "[" + payloadOffset + ", +" + payloadLength
                    + ") is outside an array of " + payload.length + " bytes");
        }
        MemorySegment segment = frame.segment();
        if (mode() != SecurityMode.ENCRYPTED || !(segment.heapBase().orElse(null) instanceof byte[] datagram)) {
            MemorySegment.copy(payload, payloadOffset, segment, ValueLayout.JAVA_BYTE, frame.payloadOffset(),
                    payloadLength);
            return seal(frame);
        }
        frame.flags(flags()).sequence(takeSequence()).payloadLength(payloadLength);
        try {
            encryptFrom(frame, datagram, Math.toIntExact(segment.address() + frame.offset()), payload, payloadOffset);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
        return frame.frameLength();
    }

    /**
     * Takes the next sequence of the direction; the last one, 2<sup>64</sup>-1, leaves the
     * counter at 0 (exhausted) instead of wrapping around to sequences already used.
     */
    private long takeSequence() {
        long next;
        do {
            next = sequence.get();
            if (next == 0) {
                throw new SequenceExhaustedException();
            }
        } while (!sequence.compareAndSet(next, next + 1));
        return next;
    }

    /**
     * Returns the sequence the next datagram of this direction gets, from any of its sealers.
     *
     * @return the unsigned sequence, 0 when exhausted
     */
    public long nextSequence() {
        return sequence.get();
    }
}

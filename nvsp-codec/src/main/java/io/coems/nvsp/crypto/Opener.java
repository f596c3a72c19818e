package io.coems.nvsp.crypto;

import io.coems.nvsp.AuthenticationException;
import io.coems.nvsp.ReplayException;
import io.coems.nvsp.SecurityMode;
import io.coems.nvsp.frame.FrameHeader;
import java.lang.foreign.MemorySegment;
import java.security.GeneralSecurityException;
import java.util.Objects;

/**
 * Checks the datagrams one side receives: the protection flags must be the negotiated ones, the
 * sequence must pass the {@link ReplayWindow}, the tag must verify; then the payload is
 * decrypted, in place ({@link #open}; the memory must be writable) or into a target of the
 * caller's ({@link #openInto}: a fragment's reassembly slot), and the sequence recorded. A
 * datagram that fails is counted and must be dropped without an answer.
 *
 * <p>Openers come from {@link SessionKeys#opener}: every opener of one session and direction
 * shares that direction's {@link ReplayWindow}, so a datagram is accepted at most once however
 * many receiving threads see it. The window records a sequence only after its tag verified.
 *
 * <p>Memory and allocation per datagram: as for {@link Sealer}; the opener also keeps an array
 * as long as the longest payload it decrypted in place or into a target in native memory (the
 * cipher's output never overlaps its input). An opener is not thread-safe (it owns a {@code Cipher} and its counters): one
 * opener per receiving thread.
 */
public final class Opener extends DatagramCipher {
    private final ReplayWindow window;
    private long forgeries;
    private long replays;

    /**
     * Creates an opener.
     *
     * @param key the traffic key of the receiving direction
     * @param mode the negotiated protection
     * @param window the replay window of the direction, shared by all its openers
     */
    Opener(TrafficKey key, SecurityMode mode, ReplayWindow window) {
        super(key, mode);
        this.window = window;
    }

    /**
     * Authenticates a received datagram and decrypts its payload in place. On return the
     * payload at {@link FrameHeader#payloadOffset()} is clear text; if it throws, the datagram
     * is as received.
     *
     * @param frame the header, wrapped (and so validated) over the received datagram
     * @throws AuthenticationException if the flags are not the negotiated ones or the tag fails
     * @throws ReplayException if the sequence was seen before (by any opener of the direction)
     *     or is too old
     * @throws IllegalArgumentException if the datagram's memory is read-only
     */
    public void open(FrameHeader frame) {
        open(frame, null, 0);
    }

    /**
     * Authenticates a received datagram and writes its clear payload to {@code target} at
     * {@code targetOffset} instead of into the datagram, which keeps its ciphertext: the
     * receive path of fragments, whose plaintext goes straight into their reassembly slot
     * without a copy when the target is on the heap (a segment over a {@code byte[]}). The
     * checks, their order and the counters are those of {@link #open}; the sequence is recorded
     * only once the tag verified.
     *
     * <p>Exactly the range of {@link FrameHeader#payloadLength()} bytes from
     * {@code targetOffset} is written, and nothing else. If this throws, that range may have
     * been overwritten (the cipher may write, or zero, its output before it finds the tag wrong;
     * a datagram another opener of the direction accepted meanwhile is refused as a replay after
     * its decryption), so it must not hold data still needed: a reassembler hands out the range
     * of a fragment not yet received. A datagram refused before its decryption (flags, or a
     * sequence the window has seen) leaves it untouched.
     *
     * @param frame the header, wrapped (and so validated) over the received datagram
     * @param target where the clear payload goes, writable
     * @param targetOffset the offset in {@code target} of the payload's first byte
     * @throws AuthenticationException if the flags are not the negotiated ones or the tag fails
     * @throws ReplayException if the sequence was seen before (by any opener of the direction)
     *     or is too old
     * @throws IllegalArgumentException if {@code target} is read-only
     * @throws IndexOutOfBoundsException if the payload does not fit {@code target} at
     *     {@code targetOffset}
     */
    public void openInto(FrameHeader frame, MemorySegment target, long targetOffset) {
        if (target.isReadOnly()) {
            throw new IllegalArgumentException("the target of an opened payload must be writable");
        }
        Objects.checkFromIndexSize(targetOffset, frame.payloadLength(), target.byteSize());
        open(frame, target, targetOffset);
    }

    private void open(FrameHeader frame, MemorySegment target, long targetOffset) {
        if (frame.flags() != flags()) {
            forgeries++;
            throw new AuthenticationException("datagram not protected as negotiated");
        }
        long sequence = frame.sequence();
        if (!window.isFresh(sequence)) {
            throw replayed(sequence);
        }
        try {
            decrypt(frame, target, targetOffset);
        } catch (GeneralSecurityException e) {
            forgeries++;
            throw new AuthenticationException("authentication tag does not verify");
        }
        if (!window.accept(sequence)) {
            throw replayed(sequence);
        }
    }

    private ReplayException replayed(long sequence) {
        replays++;
        return new ReplayException(sequence);
    }

    /**
     * Returns how many datagrams failed authentication in this opener.
     *
     * @return the count since creation
     */
    public long forgeries() {
        return forgeries;
    }

    /**
     * Returns how many datagrams were replays or too old in this opener.
     *
     * @return the count since creation
     */
    public long replays() {
        return replays;
    }
}

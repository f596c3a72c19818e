package io.coems.nvsp.crypto;

import io.coems.nvsp.AuthenticationException;
import io.coems.nvsp.ReplayException;
import io.coems.nvsp.SecurityMode;
import io.coems.nvsp.frame.FrameHeader;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;

/**
 * Checks the datagrams one side receives: the protection flags must be the negotiated ones, the
 * sequence must pass the {@link ReplayWindow}, the tag must verify; then the payload is
 * decrypted in place (the memory must be writable) and the sequence recorded. A datagram that
 * fails is counted and must be dropped without an answer.
 *
 * <p>Openers come from {@link SessionKeys#opener}: every opener of one session and direction
 * shares that direction's {@link ReplayWindow}, so a datagram is accepted at most once however
 * many receiving threads see it. The window records a sequence only after its tag verified.
 *
 * <p>Memory and allocation per datagram: as for {@link Sealer} (heap datagrams are opened in
 * place). An opener is not thread-safe (it owns a {@code Cipher} and its counters): one
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
     * payload at {@link FrameHeader#payloadOffset()} is clear text.
     *
     * @param frame the header, wrapped (and so validated) over the received datagram
     * @throws AuthenticationException if the flags are not the negotiated ones or the tag fails
     * @throws ReplayException if the sequence was seen before (by any opener of the direction)
     *     or is too old
     */
    public void open(FrameHeader frame) {
        if (frame.flags() != flags()) {
            forgeries++;
            throw new AuthenticationException("datagram not protected as negotiated");
        }
        long sequence = frame.sequence();
        if (!window.isFresh(sequence)) {
            throw replayed(sequence);
        }
        try {
            run(Cipher.DECRYPT_MODE, frame);
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

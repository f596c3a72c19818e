package io.coems.nvsp.crypto;

import io.coems.nvsp.SecurityMode;
import io.coems.nvsp.message.ManagementRequest;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.spec.SecretKeySpec;

/**
 * The traffic keys of a session, one per {@link Direction}, derived with HKDF-SHA256:
 *
 * <pre>
 * prk        = HKDF-Extract(salt = clientNonce || serverNonce, ikm = pre-shared key)
 * okm(dir)   = HKDF-Expand(prk, info = label(dir) || sessionId (8 bytes little-endian), 36)
 * key(dir)   = okm[0..32)      AES-256 key
 * prefix(dir)= okm[32..36)     GCM nonce prefix
 * label      = "nvsp1 c2s" (client to server), "nvsp1 s2c" (server to client), ASCII
 * </pre>
 *
 * Fresh nonces on both sides make the keys of every session new, so packet sequences can
 * restart at 1 without reusing a nonce.
 *
 * <p>Besides the keys, a {@code SessionKeys} holds the session's state that must exist once per
 * direction: the sending sequence (starting at 1) that every {@link Sealer} of the direction
 * draws from, and the {@link ReplayWindow} that every {@link Opener} of the direction shares.
 * So create one {@code SessionKeys} per session and side, and from it one sealer per sending
 * thread and one opener per receiving thread: nonces stay unique and a datagram is accepted
 * once. Derivation allocates; the keys are immutable; the class is thread-safe.
 */
public final class SessionKeys {
    /** Size of a pre-shared key. */
    public static final int PSK_LENGTH = ManagementRequest.PSK_LENGTH;

    private static final int KEY_LENGTH = 32;

    private final TrafficKey clientToServer;
    private final TrafficKey serverToClient;
    private final AtomicLong clientToServerSequence = new AtomicLong(1);
    private final AtomicLong serverToClientSequence = new AtomicLong(1);
    private final ReplayWindow clientToServerWindow = new ReplayWindow(ReplayWindow.DEFAULT_SIZE);
    private final ReplayWindow serverToClientWindow = new ReplayWindow(ReplayWindow.DEFAULT_SIZE);

    private SessionKeys(TrafficKey clientToServer, TrafficKey serverToClient) {
        this.clientToServer = clientToServer;
        this.serverToClient = serverToClient;
    }

    /**
     * Derives the keys of a session.
     *
     * @param psk the client's pre-shared key, {@link #PSK_LENGTH} bytes
     * @param clientNonce the nonce of HELLO and AUTHENTICATE
     * @param serverNonce the nonce of ACCEPT
     * @param sessionId the session id of ACCEPT
     * @return the keys
     */
    public static SessionKeys derive(byte[] psk, byte[] clientNonce, byte[] serverNonce, long sessionId) {
        if (psk.length != PSK_LENGTH) {
            throw new IllegalArgumentException("pre-shared key of " + psk.length + " bytes");
        }
        byte[] salt = Arrays.copyOf(clientNonce, clientNonce.length + serverNonce.length);
        System.arraycopy(serverNonce, 0, salt, clientNonce.length, serverNonce.length);
        byte[] prk = Hkdf.extract(salt, psk);
        return new SessionKeys(expand(prk, Direction.CLIENT_TO_SERVER, sessionId),
                expand(prk, Direction.SERVER_TO_CLIENT, sessionId));
    }

    private static TrafficKey expand(byte[] prk, Direction direction, long sessionId) {
        byte[] label = direction.label();
        byte[] info = Arrays.copyOf(label, label.length + Long.BYTES);
        LittleEndian.put(sessionId, info, label.length);
        byte[] okm = Hkdf.expand(prk, info, KEY_LENGTH + TrafficKey.NONCE_PREFIX_LENGTH);
        return new TrafficKey(new SecretKeySpec(okm, 0, KEY_LENGTH, "AES"),
                Arrays.copyOfRange(okm, KEY_LENGTH, okm.length));
    }

    /**
     * Returns the traffic key of a direction.
     *
     * @param direction the direction
     * @return its key and nonce prefix
     */
    public TrafficKey key(Direction direction) {
        return direction == Direction.CLIENT_TO_SERVER ? clientToServer : serverToClient;
    }

    /**
     * Creates a sealer for one sending thread. All sealers of a direction share its sequence,
     * which starts at 1, so they never give two datagrams the same nonce.
     *
     * @param direction the direction this side sends in
     * @param mode the negotiated protection
     * @return a new sealer
     */
    public Sealer sealer(Direction direction, SecurityMode mode) {
        return new Sealer(key(direction), mode,
                direction == Direction.CLIENT_TO_SERVER ? clientToServerSequence : serverToClientSequence);
    }

    /**
     * Creates an opener for one receiving thread. All openers of a direction share its
     * {@link ReplayWindow#DEFAULT_SIZE} replay window, so each datagram is accepted once.
     *
     * @param direction the direction this side receives in
     * @param mode the negotiated protection
     * @return a new opener
     */
    public Opener opener(Direction direction, SecurityMode mode) {
        return new Opener(key(direction), mode,
                direction == Direction.CLIENT_TO_SERVER ? clientToServerWindow : serverToClientWindow);
    }
}

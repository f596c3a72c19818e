package io.coems.nvsp.server;

import io.coems.nvsp.crypto.SessionKeys;
import io.coems.vvm.Client;
import io.coems.vvm.ClientManager;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * Where NVSP keeps its per-client settings: in the pool, as attributes of each
 * {@link Client} in the {@link ClientManager}.
 *
 * <table>
 * <caption>Client attributes read by the server</caption>
 * <tr><th>attribute</th><th>value</th></tr>
 * <tr><td>{@value #PSK}</td><td>the 32-byte pre-shared key, 64 lower-case hex digits; a client
 *     without one cannot open a session</td></tr>
 * <tr><td>{@value #ROLE}</td><td>{@value #MANAGER} lets the client's sessions send management
 *     requests</td></tr>
 * <tr><td>{@value #REGISTERED}</td><td>when the key was granted, epoch milliseconds (LIST_CLIENTS
 *     reports it)</td></tr>
 * <tr><td>{@value #SHARE}</td><td>the client's fairness weight, a positive integer (default 1)</td></tr>
 * <tr><td>{@value #IOPS}, {@value #BANDWIDTH}</td><td>caps in requests and bytes a second
 *     (0 or absent: none)</td></tr>
 * </table>
 *
 * Thread-safe (stateless).
 */
public final class ClientKeys {
    /** The attribute holding the pre-shared key. */
    public static final String PSK = "nvsp.psk";
    /** The attribute holding the client's role. */
    public static final String ROLE = "nvsp.role";
    /** The value of {@link #ROLE} that permits management requests. */
    public static final String MANAGER = "manager";
    /** The attribute holding when the key was granted, epoch milliseconds. */
    public static final String REGISTERED = "nvsp.registered";
    /** The attribute holding the fairness weight. */
    public static final String SHARE = "nvsp.share";
    /** The attribute holding the IOPS cap. */
    public static final String IOPS = "nvsp.iops";
    /** The attribute holding the bandwidth cap in bytes a second. */
    public static final String BANDWIDTH = "nvsp.bandwidth";

    private static final HexFormat HEX = HexFormat.of();
    private static final SecureRandom RANDOM = new SecureRandom();

    private ClientKeys() {
    }

    /**
     * Draws a new pre-shared key.
     *
     * @return {@value SessionKeys#PSK_LENGTH} random bytes from {@link SecureRandom}
     */
    public static byte[] newKey() {
        byte[] key = new byte[SessionKeys.PSK_LENGTH];
        RANDOM.nextBytes(key);
        return key;
    }

    /**
     * Stores a client's key and role in the pool, replacing earlier ones.
     *
     * @param clients the pool's clients
     * @param clientId the client
     * @param psk its pre-shared key, {@value SessionKeys#PSK_LENGTH} bytes
     * @param manager whether its sessions may send management requests
     * @return the client as stored
     * @throws IllegalArgumentException if the key is not {@value SessionKeys#PSK_LENGTH} bytes
     * @throws io.coems.vvm.PoolNotFoundException if there is no such client
     */
    public static Client grant(ClientManager clients, long clientId, byte[] psk, boolean manager) {
        Map<String, String> attributes = new HashMap<>(clients.client(clientId).attributes());
        attributes.remove(ROLE);
        attributes.putAll(attributes(psk, manager));
        return clients.update(clients.client(clientId).withAttributes(attributes));
    }

    /**
     * Returns a client's pre-shared key.
     *
     * @param client a client of the pool
     * @return its key, or empty if it has none or the attribute is not 64 hex digits
     */
    public static Optional<byte[]> key(Client client) {
        String hex = client.attributes().get(PSK);
        if (hex == null || hex.length() != 2 * SessionKeys.PSK_LENGTH) {
            return Optional.empty();
        }
        try {
            return Optional.of(HEX.parseHex(hex));
        } catch (IllegalArgumentException notHex) {
            return Optional.empty();
        }
    }

    /**
     * Tells whether a client may send management requests.
     *
     * @param client a client of the pool
     * @return true when its {@value #ROLE} attribute is {@value #MANAGER}
     */
    public static boolean isManager(Client client) {
        return MANAGER.equals(client.attributes().get(ROLE));
    }

    /** The attributes that grant a key (and the role), stamped with the time. */
    static Map<String, String> attributes(byte[] psk, boolean manager) {
        if (psk == null || psk.length != SessionKeys.PSK_LENGTH) {
            throw new IllegalArgumentException("a pre-shared key must be " + SessionKeys.PSK_LENGTH + " bytes, not "
                    + (psk == null ? "null" : psk.length + " bytes"));
        }
        Map<String, String> attributes = new HashMap<>();
        attributes.put(PSK, HEX.formatHex(psk));
        attributes.put(REGISTERED, Long.toString(System.currentTimeMillis()));
        if (manager) {
            attributes.put(ROLE, MANAGER);
        }
        return attributes;
    }
}

package io.coems.vvm;

import java.util.Map;

/**
 * A machine that uses the pool's volumes (the paper's client: a diskless PC booting an
 * operating environment from its volume). Immutable; {@link ClientManager#update} stores a
 * changed copy.
 *
 * @param id         the id, given at registration, never reused
 * @param name       unique among the clients
 * @param mac        the MAC address, {@code aa:bb:cc:dd:ee:ff} (lower case), unique; empty if not known
 * @param ip         the IP address as a literal (IPv4 or IPv6), unique; the key of association by IP;
 *                   empty if not known (a client that authenticates by key, over NVSP)
 * @param hardware   a description of its hardware (cpu, memory, nic, ...), free-form
 * @param attributes free-form key/value pairs
 */
public record Client(long id, String name, String mac, String ip, Map<String, String> hardware,
        Map<String, String> attributes) {
    /**
     * A client with copies of the maps.
     *
     * @throws PoolArgumentException if a map is null or holds a null key or value
     */
    public Client {
        hardware = copy(hardware, "hardware");
        attributes = copy(attributes, "attributes");
    }

    private static Map<String, String> copy(Map<String, String> map, String what) {
        if (map == null) {
            throw new PoolArgumentException("the " + what + " map is null; pass an empty map");
        }
        if (map.entrySet().stream().anyMatch(e -> e.getKey() == null || e.getValue() == null)) {
            throw new PoolArgumentException("the " + what + " map holds a null key or value");
        }
        return Map.copyOf(map);
    }

    /** This client with another IP address. */
    public Client withIp(String newIp) {
        return new Client(id, name, mac, newIp, hardware, attributes);
    }

    /** This client with another name. */
    public Client withName(String newName) {
        return new Client(id, newName, mac, ip, hardware, attributes);
    }

    /** This client with other attributes. */
    public Client withAttributes(Map<String, String> newAttributes) {
        return new Client(id, name, mac, ip, hardware, newAttributes);
    }
}

package io.coems.vvm;

import io.coems.sfs.Descriptor;
import io.coems.sfs.DescriptorId;
import io.coems.sfs.SuperFileSystem;

import java.net.InetAddress;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The machines that use the pool's volumes, and which volume belongs to which machine: a
 * volume is assigned to at most one client, by the client's id or, as a diskless PC is known
 * on the network, by its IP address. Clients are kept in SFS descriptors next to the volumes.
 *
 * <p>Thread-safe; changes are configuration changes (one at a time, under the lease if one is
 * held, durable when they return).
 */
public final class ClientManager {
    private static final HexFormat MAC = HexFormat.ofDelimiter(":");

    private final VolumePool pool;
    private final Map<Long, Client> clients = new ConcurrentHashMap<>();

    /** The manager of the clients {@code registered} (read from their descriptors at open). */
    ClientManager(VolumePool pool, List<Client> registered) {
        this.pool = pool;
        for (Client c : registered) {
            clients.put(c.id(), c);
        }
    }

    /**
     * Registers a client.
     *
     * @param mac a MAC address as six hex pairs separated by colons, or empty if not known
     * @param ip  an IPv4 or IPv6 address literal (no host names), or empty if not known
     * @throws PoolArgumentException if the name, MAC or IP is invalid or another client has it,
     *                               or the record is larger than a descriptor
     */
    public Client register(String name, String mac, String ip, Map<String, String> hardware,
            Map<String, String> attributes) {
        return pool.change("register client " + (name == null ? "" : Names.quoted(name)), () -> {
            Client draft = valid(new Client(0, name, mac, ip, hardware, attributes));
            long id = Ids.of(pool.sfs().createDescriptor(Descriptor.CLIENT, ClientRecord.encode(draft)));
            Client made = new Client(id, draft.name(), draft.mac(), draft.ip(), draft.hardware(), draft.attributes());
            clients.put(id, made);
            pool.event(PoolEvent.Kind.CLIENT_REGISTERED, id, made.name());
            return made;
        });
    }

    /**
     * Stores {@code changed} as the new state of the client with its id.
     *
     * @throws PoolNotFoundException if there is no such client
     * @throws PoolArgumentException as for {@link #register}
     */
    public Client update(Client changed) {
        if (changed == null) {
            throw new PoolArgumentException("client is null");
        }
        return pool.change("update client " + Ids.format(changed.id()), () -> {
            client(changed.id());
            Client valid = valid(changed);
            pool.sfs().updateDescriptor(Ids.descriptor(valid.id()), ClientRecord.encode(valid));
            clients.put(valid.id(), valid);
            pool.event(PoolEvent.Kind.CLIENT_CHANGED, valid.id(), valid.name());
            return valid;
        });
    }

    /** Removes a client; its volumes stay, unassigned (each told as changed). */
    public void remove(long clientId) {
        pool.change("remove client " + Ids.format(clientId), () -> {
            Client c = client(clientId);
            List<VolumeRecord> unassigned = pool.catalog().unassignAndFree(clientId);
            clients.remove(clientId);
            unassigned.forEach(v -> pool.event(PoolEvent.Kind.VOLUME_CHANGED, v.id(), v.name()));
            return pool.event(PoolEvent.Kind.CLIENT_REMOVED, clientId, c.name());
        });
    }

    /**
     * The client with id {@code id}.
     *
     * @throws PoolNotFoundException if there is none
     */
    public Client client(long id) {
        pool.ensureOpen();
        Client c = clients.get(id);
        if (c == null) {
            throw new PoolNotFoundException("client " + Ids.format(id) + " does not exist");
        }
        return c;
    }

    /**
     * The client named {@code name}, if any.
     *
     * @throws PoolArgumentException if the name is null
     */
    public Optional<Client> findByName(String name) {
        VolumePool.required(name, "client name");
        return find(c -> c.name().equals(name));
    }

    /** The client with IP address {@code ip} (any spelling of the same address), if any. */
    public Optional<Client> findByIp(String ip) {
        String normal = ip(ip);
        return normal.isEmpty() ? Optional.empty() : find(c -> c.ip().equals(normal));
    }

    /** The client with MAC address {@code mac}, if any. */
    public Optional<Client> findByMac(String mac) {
        String normal = mac(mac);
        return normal.isEmpty() ? Optional.empty() : find(c -> c.mac().equals(normal));
    }

    /** Every client, by name. */
    public List<Client> clients() {
        pool.ensureOpen();
        return clients.values().stream().sorted(Comparator.comparing(Client::name)).toList();
    }

    /**
     * Assigns {@code volume} to the client {@code clientId}, replacing an earlier assignment.
     *
     * @throws PoolArgumentException if the volume is another pool's
     * @throws PoolNotFoundException if the client or the volume does not exist
     */
    public void assign(Volume volume, long clientId) {
        long id = pool.ownVolume(volume);
        pool.change("assign volume " + Ids.format(id) + " to client " + Ids.format(clientId), () -> {
            client(clientId);
            VolumeRecord r = pool.catalog().change(id, v -> v.withClient(clientId));
            return pool.event(PoolEvent.Kind.VOLUME_CHANGED, r.id(), r.name());
        });
    }

    /**
     * Assigns {@code volume} to the client with IP address {@code ip}.
     *
     * @throws PoolNotFoundException if no client has that address
     */
    public void assignByIp(Volume volume, String ip) {
        Client c = findByIp(ip).orElseThrow(() -> new PoolNotFoundException("no client has IP address " + ip));
        assign(volume, c.id());
    }

    /** Leaves {@code volume} assigned to no client. */
    public void unassign(Volume volume) {
        long id = pool.ownVolume(volume);
        pool.change("unassign volume " + Ids.format(id), () -> {
            VolumeRecord r = pool.catalog().change(id, v -> v.withClient(0));
            return pool.event(PoolEvent.Kind.VOLUME_CHANGED, r.id(), r.name());
        });
    }

    /** The volumes assigned to client {@code clientId}, by name. */
    public List<Volume> volumesOf(long clientId) {
        client(clientId);
        return pool.catalog().volumes().stream().filter(v -> v.client() == clientId)
                .map(v -> new Volume(pool, v.id())).toList();
    }

    /** The volumes assigned to the client with IP address {@code ip}; empty if there is no such client. */
    public List<Volume> volumesOfIp(String ip) {
        return findByIp(ip).map(c -> volumesOf(c.id())).orElse(List.of());
    }

    /** The client {@code volume} is assigned to, if any. */
    public Optional<Client> clientOf(Volume volume) {
        pool.ownVolume(volume);
        return volume.client().map(clients::get);
    }

    private Optional<Client> find(Predicate<Client> test) {
        pool.ensureOpen();
        return clients.values().stream().filter(test).findFirst();
    }

    /** {@code c} with its MAC and IP in normal form, checked for validity and uniqueness. */
    private Client valid(Client c) {
        Names.check(c.name(), "client");
        Client normal = new Client(c.id(), c.name(), mac(c.mac()), ip(c.ip()), c.hardware(), c.attributes());
        for (Client other : clients.values()) {
            if (other.id() == c.id()) {
                continue;
            }
            if (other.name().equals(normal.name())) {
                throw new PoolArgumentException("a client named " + Names.quoted(normal.name()) + " already exists");
            }
            if (!normal.mac().isEmpty() && other.mac().equals(normal.mac())) {
                throw new PoolArgumentException("MAC address " + normal.mac() + " is already client "
                        + Names.quoted(other.name()) + "'s");
            }
            if (!normal.ip().isEmpty() && other.ip().equals(normal.ip())) {
                throw new PoolArgumentException("IP address " + normal.ip() + " is already client "
                        + Names.quoted(other.name()) + "'s");
            }
        }
        ClientRecord.encode(normal);
        return normal;
    }

    /** {@code mac} in normal form; the empty string (unknown) stays empty. */
    private static String mac(String mac) {
        if (mac != null && mac.isEmpty()) {
            return mac;
        }
        if (mac == null || mac.length() != 17) {
            throw new PoolArgumentException("MAC address " + mac + " is not six hex pairs separated by colons");
        }
        try {
            return MAC.formatHex(MAC.parseHex(mac.toLowerCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            throw new PoolArgumentException("MAC address " + mac + " is not six hex pairs separated by colons");
        }
    }

    /** {@code ip} in normal form; the empty string (unknown) stays empty. */
    private static String ip(String ip) {
        if (ip == null) {
            throw new PoolArgumentException("IP address is null");
        }
        if (ip.isEmpty()) {
            return ip;
        }
        try {
            return InetAddress.ofLiteral(ip).getHostAddress();
        } catch (IllegalArgumentException e) {
            throw new PoolArgumentException("IP address " + Names.quoted(ip) + " is not an IPv4 or IPv6 literal");
        }
    }
}

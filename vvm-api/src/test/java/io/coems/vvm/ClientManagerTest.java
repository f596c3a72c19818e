package io.coems.vvm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.coems.vvm.PoolFixtures.client;
import static io.coems.vvm.PoolFixtures.refusedAndUnchanged;
import static io.coems.vvm.VolumePoolTest.memoryPool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Clients: registration, uniqueness and normal forms of their addresses, and which volume belongs to whom. */
class ClientManagerTest {
    private static final long MIB = 1L << 20;

    @Test
    void registerUpdateAndRemove() {
        try (VolumePool pool = memoryPool(1024)) {
            ClientManager clients = pool.clients();
            Map<String, String> hardware = new HashMap<>(Map.of("cpu", "i5", "ram", "8G"));
            Client pc = clients.register("pc-1", "02:00:00:00:00:01", "10.0.0.1", hardware, Map.of("room", "12"));
            hardware.put("gpu", "none");
            assertEquals(Map.of("cpu", "i5", "ram", "8G"), clients.client(pc.id()).hardware(), "a copy was kept");
            assertEquals(Map.of("room", "12"), pc.attributes());

            Client moved = clients.update(pc.withIp("10.0.0.7").withName("pc-7").withAttributes(Map.of("room", "7")));
            assertEquals(moved, clients.client(pc.id()));
            assertEquals(Optional.of(moved), clients.findByIp("10.0.0.7"));
            assertEquals(Optional.empty(), clients.findByIp("10.0.0.1"));
            assertEquals(Optional.of(moved), clients.findByName("pc-7"));
            assertEquals(Optional.empty(), clients.findByName("pc-1"));
            assertEquals(moved, clients.update(moved), "an update to the same values is allowed");

            Client other = client(pool, "other", 2);
            assertEquals(List.of("other", "pc-7"), clients.clients().stream().map(Client::name).toList());
            clients.remove(pc.id());
            assertEquals(List.of(other), clients.clients());
            refusedAndUnchanged(pool, PoolNotFoundException.class, () -> clients.client(pc.id()), Ids.format(pc.id()));
            refusedAndUnchanged(pool, PoolNotFoundException.class, () -> clients.remove(pc.id()), Ids.format(pc.id()));
            refusedAndUnchanged(pool, PoolNotFoundException.class, () -> clients.update(moved.withName("again")),
                    Ids.format(pc.id()));
            Client again = client(pool, "pc-1", 1);
            assertNotEquals(pc.id(), again.id(), "ids are never reused");
        }
    }

    @Test
    void nameMacAndIpAreEachUnique() {
        try (VolumePool pool = memoryPool(1024)) {
            ClientManager clients = pool.clients();
            Client a = client(pool, "a", 1);
            client(pool, "b", 2);
            refusedAndUnchanged(pool, PoolArgumentException.class,
                    () -> clients.register("a", "02:00:00:00:00:09", "10.0.0.9", Map.of(), Map.of()), "\"a\"");
            refusedAndUnchanged(pool, PoolArgumentException.class,
                    () -> clients.register("c", "02:00:00:00:00:01", "10.0.0.9", Map.of(), Map.of()),
                    "02:00:00:00:00:01", "\"a\"");
            refusedAndUnchanged(pool, PoolArgumentException.class,
                    () -> clients.register("c", "02:00:00:00:00:09", "10.0.0.1", Map.of(), Map.of()),
                    "10.0.0.1", "\"a\"");
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> clients.update(a.withName("b")), "\"b\"");
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> clients.update(a.withIp("10.0.0.2")),
                    "10.0.0.2", "\"b\"");
        }
    }

    @Test
    void macAndIpMayBeUnknownAndUnknownsNeverClash() {
        try (VolumePool pool = memoryPool(1024)) {
            ClientManager clients = pool.clients();
            Client a = clients.register("by-key-a", "", "", Map.of(), Map.of());
            Client b = clients.register("by-key-b", "", "", Map.of(), Map.of());
            assertEquals("", a.mac());
            assertEquals("", b.ip());
            assertEquals(Optional.empty(), clients.findByIp(""));
            assertEquals(Optional.empty(), clients.findByMac(""));
            Client located = clients.update(b.withIp("10.0.0.7"));
            assertEquals(Optional.of(located), clients.findByIp("10.0.0.7"));
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> clients.update(a.withIp("10.0.0.7")),
                    "10.0.0.7", "\"by-key-b\"");
            assertEquals(List.of(), pool.check());
        }
    }

    @Test
    void macAddressesAreComparedInTheirNormalForm() {
        try (VolumePool pool = memoryPool(1024)) {
            ClientManager clients = pool.clients();
            Client pc = clients.register("pc", "AA:bb:CC:00:11:22", "10.0.0.1", Map.of(), Map.of());
            assertEquals("aa:bb:cc:00:11:22", pc.mac());
            assertEquals(Optional.of(pc), clients.findByMac("aa:BB:cc:00:11:22"));
            refusedAndUnchanged(pool, PoolArgumentException.class,
                    () -> clients.register("twin", "aa:bb:cc:00:11:22", "10.0.0.2", Map.of(), Map.of()),
                    "aa:bb:cc:00:11:22");
            for (String bad : new String[] {"aa:bb:cc:dd:ee", "aa-bb-cc-dd-ee-ff", "gg:bb:cc:dd:ee:ff",
                    "aabbccddeeff00000", "aa:bb:cc:dd:ee:ff:00", " a:bb:cc:dd:ee:ff"}) {
                refusedAndUnchanged(pool, PoolArgumentException.class,
                        () -> clients.register("x", bad, "10.0.0.3", Map.of(), Map.of()), "MAC address " + bad);
                refusedAndUnchanged(pool, PoolArgumentException.class, () -> clients.findByMac(bad), bad);
            }
            refusedAndUnchanged(pool, PoolArgumentException.class,
                    () -> clients.register("x", null, "10.0.0.3", Map.of(), Map.of()), "MAC address null");
        }
    }

    @Test
    void ipAddressesAreComparedAsAddressesNotSpellings() {
        try (VolumePool pool = memoryPool(1024)) {
            ClientManager clients = pool.clients();
            Client local = clients.register("local", "02:00:00:00:00:01", "::1", Map.of(), Map.of());
            assertEquals(Optional.of(local), clients.findByIp("0:0:0:0:0:0:0:1"));
            assertEquals(Optional.of(local), clients.findByIp("0000::0001"));
            refusedAndUnchanged(pool, PoolArgumentException.class,
                    () -> clients.register("twin", "02:00:00:00:00:02", "0:0:0:0:0:0:0:1", Map.of(), Map.of()),
                    "\"local\"");
            Client v4 = clients.register("v4", "02:00:00:00:00:03", "192.168.1.10", Map.of(), Map.of());
            assertEquals(Optional.of(v4), clients.findByIp("::ffff:192.168.1.10"), "an IPv4-mapped address is the same");
            for (String bad : new String[] {"10.0.0.256", "host.example", " ", "1::2::3", "::1/128", "10.0.0.1 "}) {
                refusedAndUnchanged(pool, PoolArgumentException.class,
                        () -> clients.register("x", "02:00:00:00:00:09", bad, Map.of(), Map.of()),
                        "\"" + bad + "\"", "literal");
                refusedAndUnchanged(pool, PoolArgumentException.class, () -> clients.findByIp(bad), "\"" + bad + "\"");
            }
            refusedAndUnchanged(pool, PoolArgumentException.class,
                    () -> clients.register("x", "02:00:00:00:00:09", null, Map.of(), Map.of()), "IP address is null");
        }
    }

    @Test
    void nullMapsAreRefusedAsArguments() {
        try (VolumePool pool = memoryPool(1024)) {
            ClientManager clients = pool.clients();
            refusedAndUnchanged(pool, PoolArgumentException.class,
                    () -> clients.register("x", "02:00:00:00:00:09", "10.0.0.9", null, Map.of()), "hardware");
            refusedAndUnchanged(pool, PoolArgumentException.class,
                    () -> clients.register("x", "02:00:00:00:00:09", "10.0.0.9", Map.of(), null), "attributes");
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> clients.update(null), "client is null");
        }
    }

    @Test
    void volumesAreAssignedByIdOrByIpAndFoundBothWays() {
        try (VolumePool pool = memoryPool(1024)) {
            ClientManager clients = pool.clients();
            Client a = client(pool, "a", 1);
            Client b = clients.register("b", "02:00:00:00:00:02", "fe80::1", Map.of(), Map.of());
            Volume v1 = pool.createVolume("v1", MIB);
            Volume v2 = pool.createVolume("v2", MIB);
            Volume v3 = pool.createVolume("v3", MIB);
            clients.assign(v1, a.id());
            clients.assignByIp(v2, "10.0.0.1");
            clients.assignByIp(v3, "fe80:0:0:0:0:0:0:1");
            assertEquals(List.of(v1, v2), clients.volumesOf(a.id()));
            assertEquals(List.of(v3), clients.volumesOfIp("FE80::1"));
            assertEquals(List.of(), clients.volumesOfIp("10.9.9.9"), "no client has that address");
            assertEquals(Optional.of(a), clients.clientOf(v2));
            assertEquals(Optional.of(b.id()), v3.client());

            clients.assign(v2, b.id());
            assertEquals(List.of(v1), clients.volumesOf(a.id()), "assigning again replaces the earlier client");
            clients.unassign(v1);
            assertEquals(Optional.empty(), clients.clientOf(v1));
            assertEquals(List.of(), clients.volumesOf(a.id()));

            refusedAndUnchanged(pool, PoolNotFoundException.class, () -> clients.assignByIp(v1, "10.9.9.9"),
                    "10.9.9.9");
            long missing = a.id() + 12345;
            refusedAndUnchanged(pool, PoolNotFoundException.class, () -> clients.assign(v1, missing),
                    Ids.format(missing));
            refusedAndUnchanged(pool, PoolNotFoundException.class, () -> clients.volumesOf(missing),
                    Ids.format(missing));
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> clients.assign(null, a.id()), "volume is null");
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> clients.assignByIp(v1, "not-an-ip"),
                    "not-an-ip");
        }
    }

    @Test
    void removingAClientUnassignsItsVolumes() {
        try (VolumePool pool = memoryPool(1024)) {
            ClientManager clients = pool.clients();
            Client a = client(pool, "a", 1);
            Client b = client(pool, "b", 2);
            Volume v1 = pool.createVolume("v1", MIB);
            Volume v2 = pool.createVolume("v2", MIB);
            Volume v3 = pool.createVolume("v3", MIB);
            clients.assign(v1, a.id());
            clients.assign(v2, a.id());
            clients.assign(v3, b.id());
            clients.remove(a.id());
            assertEquals(Optional.empty(), v1.client());
            assertEquals(Optional.empty(), clients.clientOf(v2));
            assertEquals(Optional.of(b), clients.clientOf(v3), "other clients keep their volumes");
            assertEquals(List.of("v1", "v2", "v3"), pool.volumes().stream().map(Volume::name).toList(),
                    "the volumes stay");
            assertEquals(List.of(), pool.check());
        }
    }

    @Test
    void clientsAndAssignmentsSurviveCloseAndReopen(@TempDir Path dir) {
        Client a;
        Client b;
        try (VolumePool pool = VolumePool.create(dir, PoolFixtures.DIR)) {
            ClientManager clients = pool.clients();
            a = clients.register("a", "02:AA:00:00:00:01", "::1", Map.of("cpu", "arm"), Map.of("k", "v"));
            b = client(pool, "b", 2);
            Client gone = client(pool, "gone", 3);
            Volume v1 = pool.createVolume("v1", MIB);
            Volume v2 = pool.createVolume("v2", MIB);
            clients.assign(v1, a.id());
            clients.assignByIp(v2, "10.0.0.3");
            clients.remove(gone.id());
            b = clients.update(b.withAttributes(Map.of("seat", "4")));
        }
        try (VolumePool pool = VolumePool.open(dir, PoolFixtures.DIR)) {
            ClientManager clients = pool.clients();
            assertEquals(List.of(a, b), clients.clients());
            assertEquals("02:aa:00:00:00:01", clients.client(a.id()).mac());
            assertEquals(List.of(pool.volume("v1")), clients.volumesOfIp("0:0:0:0:0:0:0:1"));
            assertEquals(Optional.empty(), pool.volume("v2").client());
            assertTrue(clients.findByName("gone").isEmpty());
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> client(pool, "b", 9), "\"b\"");
        }
    }
}

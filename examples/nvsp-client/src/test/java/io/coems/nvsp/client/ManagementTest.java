package io.coems.nvsp.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coems.nvsp.Status;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every management operation against the fake server's model; lists span several pages. */
class ManagementTest {
    private FakeServer server;
    private NvspClient client;
    private ManagementClient management;

    @BeforeEach
    void start() throws Exception {
        server = new FakeServer(FakeServer.psk());
        client = NvspClient.connect(server.options().build());
        management = client.management();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.close();
    }

    @Test
    void everyOperationWithTheLeaseToken() {
        long before = System.currentTimeMillis();
        RemoteLease lease = management.acquireLease(Duration.ofSeconds(30));
        assertEquals(server.management().token(), lease.token());
        assertEquals(lease.token(), management.fencingToken());
        assertTrue(lease.expiresAtEpochMillis() >= before + 30_000);

        long golden = management.createVolume("golden", 1 << 30);
        long[] others = {management.createVolume("a", 1), management.createVolume("b", 2),
            management.createVolume("c", 3), management.createVolume("d", 4)};
        List<RemoteVolumeInfo> volumes = management.listVolumes();
        assertEquals(5, volumes.size(), "three pages of two");
        assertEquals(golden, volumes.getFirst().id());
        assertEquals(1L << 30, volumes.getFirst().size());
        assertEquals(others[3], volumes.getLast().id());

        long snapshot = management.snapshot(golden, "installed");
        long second = management.snapshot(golden, "patched");
        management.snapshot(others[0], "elsewhere");
        List<RemoteSnapshotInfo> history = management.listHistory(golden);
        assertEquals(List.of(snapshot, second), history.stream().map(RemoteSnapshotInfo::id).toList());
        assertEquals(1L << 30, history.getFirst().size());

        long clone = management.cloneSnapshot(snapshot, "pc-01");
        assertEquals("pc-01", server.management().name(clone));
        assertEquals(snapshot, server.management().volume(clone)[1]);
        management.revert(golden, snapshot);
        management.resizeVolume(golden, 2L << 30);
        assertEquals(2L << 30, server.management().volume(golden)[0]);
        management.deleteSnapshot(second);
        assertEquals(1, management.listHistory(golden).size());
        management.deleteVolume(others[1]);
        assertEquals(5, management.listVolumes().size(), "four left and the clone");

        long pc = management.registerClient("pc-01", FakeServer.psk());
        long other = management.registerClient("pc-02", FakeServer.psk());
        management.registerClient("pc-03", FakeServer.psk());
        management.assignVolume(clone, pc);
        List<RemoteClientInfo> clients = management.listClients();
        assertEquals(3, clients.size());
        assertEquals(new RemoteClientInfo(pc, clone, clients.getFirst().registered()), clients.getFirst());
        management.removeClient(other);
        assertEquals(2, management.listClients().size());

        RemoteLease renewed = management.renewLease(Duration.ofMinutes(5));
        assertEquals(lease.token(), renewed.token());
        assertTrue(renewed.expiresAtEpochMillis() >= before + 300_000);
        management.releaseLease();
        assertEquals(0, management.fencingToken());
        assertEquals(0, server.management().token());
    }

    @Test
    void refusalsArriveTyped() {
        RemotePermissionException stale = assertThrows(RemotePermissionException.class,
                () -> management.createVolume("no lease", 1));
        assertEquals(Status.STALE_FENCING_TOKEN, stale.status());
        assertTrue(stale.getMessage().contains("CREATE_VOLUME \"no lease\""), stale.getMessage());
        management.acquireLease(Duration.ofSeconds(10));
        RemotePermissionException held = assertThrows(RemotePermissionException.class,
                () -> management.acquireLease(Duration.ofSeconds(10)));
        assertEquals(Status.LEASE_HELD, held.status());
        long volume = management.createVolume("v", 10);
        RemoteArgumentException exists = assertThrows(RemoteArgumentException.class,
                () -> management.createVolume("v", 10));
        assertEquals(Status.EXISTS, exists.status());
        RemoteNotFoundException missing = assertThrows(RemoteNotFoundException.class, () -> management.deleteVolume(77));
        assertEquals(Status.NO_SUCH_VOLUME, missing.status());
        assertTrue(missing.getMessage().contains("DELETE_VOLUME volume 77"), missing.getMessage());
        assertEquals(Status.NO_SUCH_SNAPSHOT, assertThrows(RemoteNotFoundException.class,
                () -> management.revert(volume, 78)).status());
        assertEquals(Status.NO_SUCH_CLIENT, assertThrows(RemoteNotFoundException.class,
                () -> management.assignVolume(volume, 79)).status());
    }

    @Test
    void registerClientCarriesTheKey() {
        management.acquireLease(Duration.ofSeconds(10));
        byte[] key = FakeServer.psk();
        key[5] = 55;
        long id = management.registerClient("keyed", key);
        assertEquals("keyed", server.management().name(id));
        assertArrayEquals(new long[] {0, 0}, java.util.Arrays.copyOf(server.management().client(id), 2));
    }
}

package io.coems.nvsp.server;

import static io.coems.nvsp.server.RawPeer.management;
import static io.coems.nvsp.server.RawPeer.read;
import static io.coems.nvsp.server.RawPeer.status;
import static io.coems.nvsp.server.RawPeer.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coems.nvsp.Status;
import io.coems.nvsp.message.ManagementResponse;
import io.coems.nvsp.message.MessageType;
import io.coems.vvm.Client;
import io.coems.vvm.PoolOptions;
import io.coems.vvm.Volume;
import io.coems.vvm.VolumePool;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Management requests over NVSP: the role, the lease and its fencing token, every operation. */
class ManagementTest {
    private static final long MINUTE = 60_000;

    @TempDir
    Path dir;
    VolumePool pool;
    NvspServer server;
    Client admin;
    Client user;
    byte[] adminKey = ClientKeys.newKey();
    byte[] userKey = ClientKeys.newKey();
    RawPeer peer;

    @BeforeEach
    void start() {
        pool = VolumePool.create(dir.resolve("pool"), PoolOptions.defaults().withFileBytes(PoolOptions.MIN_FILE_BYTES)
                .withMaxBytes(256L << 20));
        admin = ClientKeys.grant(pool.clients(), pool.clients().register("admin", "", "", Map.of(), Map.of()).id(),
                adminKey, true);
        user = ClientKeys.grant(pool.clients(), pool.clients().register("user", "", "", Map.of(), Map.of()).id(),
                userKey, false);
        server = NvspServer.builder(pool).port(0).build().start();
        peer = RawPeer.connected(server.address(), admin.id(), adminKey);
    }

    @AfterEach
    void stop() {
        peer.close();
        server.close();
        pool.close();
    }

    /** Sends a management request and returns the decoded response. */
    private ManagementResponse call(RawPeer from, MessageType type, long token, long volume, long snapshot, long client,
            long argument, String name, byte[] secret) {
        byte[] response = from.call(management(type, token, volume, snapshot, client, argument, name, secret));
        assertNotNull(response, "no answer to " + type);
        assertEquals(RequestExecutor.responseOf(type), type(response));
        return new ManagementResponse().wrap(MemorySegment.ofArray(response), 0, response.length);
    }

    private ManagementResponse call(MessageType type, long token, long volume, long snapshot, long client,
            long argument, String name) {
        return call(peer, type, token, volume, snapshot, client, argument, name, null);
    }

    private long acquire() {
        ManagementResponse lease = call(MessageType.ACQUIRE_LEASE, 0, 0, 0, 0, MINUTE, null);
        assertEquals(Status.OK, lease.status());
        long now = System.currentTimeMillis();
        assertTrue(lease.resultValue() > now + MINUTE - 5000 && lease.resultValue() <= now + MINUTE, "lease expiry");
        return lease.resultId();
    }

    private static List<Long> ids(ManagementResponse list) {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < list.entryCount(); i++) {
            ids.add(list.entryId(i));
        }
        return ids;
    }

    @Test
    void aClientWithoutTheManagerRoleGetsEpermAndChangesNothing() {
        try (RawPeer plain = RawPeer.connected(server.address(), user.id(), userKey)) {
            assertEquals(Status.EPERM, call(plain, MessageType.ACQUIRE_LEASE, 0, 0, 0, 0, MINUTE, null, null).status());
            assertEquals(Status.EPERM, call(plain, MessageType.CREATE_VOLUME, 0, 0, 0, 0, 1 << 20, "x", null).status());
        }
        assertTrue(pool.lease().isEmpty());
        assertTrue(pool.volumes().isEmpty());
        assertEquals(2, ServerMetricsProbe.refused(server, user));
    }

    @Test
    void revokingTheManagerRoleTakesEffectOnAnOpenSession() {
        long token = acquire();
        pool.withLease(token, () -> ClientKeys.grant(pool.clients(), admin.id(), adminKey, false));
        assertEquals(Status.EPERM, call(MessageType.CREATE_VOLUME, token, 0, 0, 0, 1 << 20, "revoked").status());
        assertTrue(pool.volumes().isEmpty());
    }

    @Test
    void aStaleFencingTokenIsRefusedAndASecondLeaseIsHeld() {
        assertEquals(Status.STALE_FENCING_TOKEN, call(MessageType.LIST_VOLUMES, 0, 0, 0, 0, 0, null).status());
        long token = acquire();
        assertEquals(Status.LEASE_HELD, call(MessageType.ACQUIRE_LEASE, 0, 0, 0, 0, MINUTE, null).status());
        assertEquals(Status.STALE_FENCING_TOKEN,
                call(MessageType.CREATE_VOLUME, token + 1, 0, 0, 0, 1 << 20, "stale").status());
        assertTrue(pool.volumes().isEmpty());
        assertEquals(Status.OK, call(MessageType.RELEASE_LEASE, token, 0, 0, 0, 0, null).status());
        assertEquals(Status.STALE_FENCING_TOKEN,
                call(MessageType.CREATE_VOLUME, token, 0, 0, 0, 1 << 20, "released").status());
    }

    @Test
    void everyManagementOperationWorksOnce() {
        long token = acquire();
        assertEquals(Status.OK, call(MessageType.RENEW_LEASE, token, 0, 0, 0, 2 * MINUTE, null).status());
        assertEquals(2 * MINUTE, pool.lease().orElseThrow().idleTimeout().toMillis());

        long golden = call(MessageType.CREATE_VOLUME, token, 0, 0, 0, 4 << 20, "golden").resultId();
        assertEquals(4 << 20, pool.volume(golden).size());
        assertEquals(Status.EXISTS, call(MessageType.CREATE_VOLUME, token, 0, 0, 0, 4 << 20, "golden").status());
        assertEquals(Status.OK, call(MessageType.RESIZE_VOLUME, token, golden, 0, 0, 8 << 20, null).status());
        assertEquals(8 << 20, pool.volume(golden).size());
        assertEquals(Status.EINVAL, call(MessageType.RESIZE_VOLUME, token, golden, 0, 0, 1 << 20, null).status());

        pool.volume(golden).write(0, new byte[] {1, 2, 3});
        long base = call(MessageType.SNAPSHOT, token, golden, 0, 0, 0, "base").resultId();
        assertEquals(Status.EXISTS, call(MessageType.SNAPSHOT, token, golden, 0, 0, 0, "base").status());
        long second = call(MessageType.SNAPSHOT, token, golden, 0, 0, 0, "second").resultId();
        ManagementResponse history = call(MessageType.LIST_HISTORY, token, golden, 0, 0, 0, null);
        assertEquals(List.of(base, second), ids(history));
        assertEquals(base, history.entryParent(1));
        assertEquals(List.of(second), ids(call(MessageType.LIST_HISTORY, token, golden, 0, 0, base, null)));

        pool.volume(golden).write(0, new byte[] {9, 9, 9});
        assertEquals(Status.OK, call(MessageType.REVERT, token, golden, base, 0, 0, null).status());
        byte[] reverted = new byte[3];
        pool.volume(golden).read(0, MemorySegment.ofArray(reverted));
        assertEquals(1, reverted[0]);
        assertEquals(Status.NO_SUCH_SNAPSHOT, call(MessageType.REVERT, token, golden, 999_999, 0, 0, null).status());

        long clone = call(MessageType.CLONE, token, 0, base, 0, 0, "pc-01").resultId();
        ManagementResponse volumes = call(MessageType.LIST_VOLUMES, token, 0, 0, 0, 0, null);
        assertEquals(List.of(golden, clone), ids(volumes));
        assertEquals(base, volumes.entrySize(1) == 8 << 20 ? volumes.entryParent(1) : -1);
        assertEquals(0, volumes.resultValue());
        assertEquals(List.of(clone), ids(call(MessageType.LIST_VOLUMES, token, 0, 0, 0, golden, null)));

        byte[] carolKey = ClientKeys.newKey();
        long carol = call(peer, MessageType.REGISTER_CLIENT, token, 0, 0, 0, 0, "carol", carolKey).resultId();
        assertEquals(Status.EXISTS,
                call(peer, MessageType.REGISTER_CLIENT, token, 0, 0, 0, 0, "carol", carolKey).status());
        assertEquals(Status.OK, call(MessageType.ASSIGN_VOLUME, token, clone, 0, carol, 0, null).status());
        ManagementResponse clients = call(MessageType.LIST_CLIENTS, token, 0, 0, 0, 0, null);
        assertEquals(List.of(admin.id(), user.id(), carol), ids(clients));
        assertEquals(clone, clients.entryParent(2));
        assertTrue(clients.entryTime(2) > 0);
        try (RawPeer carolPeer = RawPeer.connected(server.address(), carol, carolKey)) {
            byte[] data = carolPeer.call(read(clone, 0, 3));
            assertEquals(Status.OK, status(data));
        }
        assertEquals(Status.OK, call(MessageType.REMOVE_CLIENT, token, 0, 0, carol, 0, null).status());
        assertEquals(Status.NO_SUCH_CLIENT, call(MessageType.REMOVE_CLIENT, token, 0, 0, carol, 0, null).status());
        assertTrue(pool.clients().findByName("carol").isEmpty());

        assertEquals(Status.OK, call(MessageType.DELETE_SNAPSHOT, token, 0, second, 0, 0, null).status());
        assertEquals(Status.NO_SUCH_SNAPSHOT, call(MessageType.DELETE_SNAPSHOT, token, 0, second, 0, 0, null).status());
        assertEquals(Status.OK, call(MessageType.DELETE_VOLUME, token, clone, 0, 0, 0, null).status());
        assertEquals(Status.NO_SUCH_VOLUME, call(MessageType.DELETE_VOLUME, token, clone, 0, 0, 0, null).status());
        assertEquals(List.of(golden), pool.volumes().stream().map(Volume::id).toList());
        assertEquals(Status.OK, call(MessageType.RELEASE_LEASE, token, 0, 0, 0, 0, null).status());
        assertTrue(pool.lease().isEmpty());
    }

    @Test
    void listsArePagedByCursor() {
        long token = acquire();
        List<Long> made = new ArrayList<>();
        for (int i = 0; i < 45; i++) {
            made.add(call(MessageType.CREATE_VOLUME, token, 0, 0, 0, 1 << 20, "v" + i).resultId());
        }
        List<Long> listed = new ArrayList<>();
        long cursor = 0;
        int pages = 0;
        do {
            ManagementResponse page = call(MessageType.LIST_VOLUMES, token, 0, 0, 0, cursor, null);
            listed.addAll(ids(page));
            cursor = page.resultValue();
            pages++;
        } while (cursor != 0);
        assertEquals(made, listed);
        assertEquals(2, pages);
    }
}

package io.coems.nvsp.server;

import io.coems.nvsp.client.ManagementClient;
import io.coems.nvsp.client.NvspClient;
import io.coems.nvsp.client.RemoteClientInfo;
import io.coems.nvsp.client.RemoteLease;
import io.coems.nvsp.client.RemoteSnapshotInfo;
import io.coems.nvsp.client.RemoteVolume;
import io.coems.nvsp.client.RemoteVolumeInfo;
import io.coems.vvm.Volume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every management operation of the protocol, from the real client to the server and its pool:
 * each result checked against the pool itself, and a remote client registered and assigned
 * over the network then doing I/O with its new key.
 */
class RemoteManagementTest {
    private static final long MIB = 1L << 20;

    @Test
    void everyManagementOperationActsOnThePool(@TempDir Path dir) {
        try (NvspFixture f = new NvspFixture(dir, b -> b).start()) {
            NvspFixture.Member admin = f.member("admin", 0, true);
            ManagementClient m = f.connect(admin).management();

            RemoteLease lease = m.acquireLease(Duration.ofSeconds(30));
            assertEquals(f.pool.lease().orElseThrow().token(), lease.token());
            assertTrue(lease.expiresAtEpochMillis() > System.currentTimeMillis());
            RemoteLease renewed = m.renewLease(Duration.ofSeconds(60));
            assertEquals(lease.token(), renewed.token());
            assertEquals(Duration.ofSeconds(60), f.pool.lease().orElseThrow().idleTimeout());

            long golden = m.createVolume("golden", 8 * MIB);
            Volume local = f.pool.volume(golden);
            assertEquals(8 * MIB, local.size());
            m.resizeVolume(golden, 16 * MIB);
            assertEquals(16 * MIB, f.pool.volume(golden).size());
            byte[] first = pattern(1);
            local.write(0, first);

            long snap = m.snapshot(golden, "installed");
            assertEquals("installed", f.pool.snapshot(snap).name());
            List<RemoteSnapshotInfo> history = m.listHistory(golden);
            assertEquals(List.of(snap), history.stream().map(RemoteSnapshotInfo::id).toList());

            local.write(0, pattern(2));
            m.revert(golden, snap);
            assertArrayEquals(first, read(f.pool.volume(golden), first.length), "reverted to the snapshot");

            long clone = m.cloneSnapshot(snap, "desk-1");
            assertEquals(snap, f.pool.volume(clone).origin().orElseThrow().id());
            List<RemoteVolumeInfo> volumes = m.listVolumes();
            assertEquals(List.of(golden, clone).stream().sorted().toList(),
                    volumes.stream().map(RemoteVolumeInfo::id).sorted().toList());
            assertEquals(snap, volumes.stream().filter(v -> v.id() == clone).findFirst().orElseThrow().originSnapshot());

            byte[] key = ClientKeys.newKey();
            long desk = m.registerClient("desk-1", key);
            assertEquals("desk-1", f.pool.clients().client(desk).name());
            m.assignVolume(clone, desk);
            assertEquals(desk, f.pool.volume(clone).client().orElseThrow());
            RemoteClientInfo listed = m.listClients().stream().filter(c -> c.id() == desk).findFirst().orElseThrow();
            assertEquals(clone, listed.assignedVolume());

            try (NvspClient deskClient = f.connect(new NvspFixture.Member(desk, "desk-1", key, clone))) {
                RemoteVolume disk = deskClient.volume(clone);
                byte[] seen = new byte[first.length];
                disk.read(0, seen, 0, seen.length);
                assertArrayEquals(first, seen, "the clone reads the golden image over the network");
            }

            m.removeClient(desk);
            assertTrue(f.pool.clients().findByName("desk-1").isEmpty());
            m.deleteVolume(clone);
            m.deleteSnapshot(snap);
            assertTrue(f.pool.volume(golden).history().isEmpty());
            assertFalse(f.pool.findVolume("desk-1").isPresent());

            m.releaseLease();
            assertTrue(f.pool.lease().isEmpty());
        }
    }

    @Test
    void listsPageThroughMoreEntriesThanOneMessageHolds(@TempDir Path dir) {
        try (NvspFixture f = new NvspFixture(dir, b -> b).start()) {
            NvspFixture.Member admin = f.member("admin", 0, true);
            for (int i = 0; i < 120; i++) {
                f.pool.createVolume("v" + i, MIB);
            }
            ManagementClient m = f.connect(admin).management();
            m.acquireLease(Duration.ofSeconds(30));
            assertEquals(f.pool.volumes().stream().map(Volume::id).sorted().toList(),
                    m.listVolumes().stream().map(RemoteVolumeInfo::id).sorted().toList());
        }
    }

    private static byte[] pattern(int seed) {
        byte[] b = new byte[256 << 10];
        Arrays.fill(b, (byte) seed);
        return b;
    }

    private static byte[] read(Volume v, int length) {
        byte[] b = new byte[length];
        v.read(0, java.lang.foreign.MemorySegment.ofArray(b));
        return b;
    }
}

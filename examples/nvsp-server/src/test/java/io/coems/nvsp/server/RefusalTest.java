package io.coems.nvsp.server;

import io.coems.nvsp.Status;
import io.coems.nvsp.client.ClientOptions;
import io.coems.nvsp.client.ManagementClient;
import io.coems.nvsp.client.NvspClient;
import io.coems.nvsp.client.RemoteClosedException;
import io.coems.nvsp.client.RemoteException;
import io.coems.nvsp.client.RemotePermissionException;
import io.coems.nvsp.client.RemoteVolume;
import io.coems.vvm.Volume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the server refuses, end to end with the real client: a wrong key gets no session, a
 * client cannot reach another client's volume, and management needs the manager role and the
 * current lease. Each refusal has the right status and changes nothing.
 */
class RefusalTest {
    private static final long MIB = 1L << 20;

    @Test
    void aWrongKeyGetsNoSession(@TempDir Path dir) {
        try (NvspFixture f = new NvspFixture(dir, b -> b).start()) {
            NvspFixture.Member pc = f.member("pc", MIB, false);
            byte[] wrong = pc.key().clone();
            wrong[0] ^= 1;
            ClientOptions options = ClientOptions.builder(f.server.address(), pc.id(), wrong)
                    .requestTimeout(Duration.ofSeconds(3)).build();
            assertThrows(RemoteException.class, () -> NvspClient.connect(options));
            assertTrue(f.server.metrics().handshakeFailures() > 0, "the failed proof is counted");
            assertEquals(0, f.server.metrics().sessions(), "no session was made");
        }
    }

    @Test
    void aChangedKeyEndsTheSessionsOpenedWithTheOldOne(@TempDir Path dir) throws InterruptedException {
        try (NvspFixture f = new NvspFixture(dir, b -> b).start()) {
            NvspFixture.Member pc = f.member("pc", MIB, false);
            NvspFixture.Member other = f.member("other", MIB, false);
            // a short timeout: the server drops an AUTHENTICATE with a wrong proof without an answer
            NvspClient oldClient = NvspClient.connect(ClientOptions.builder(f.server.address(), pc.id(), pc.key())
                    .requestTimeout(Duration.ofSeconds(3)).build());
            RemoteVolume old = oldClient.volume(pc.volumeId());
            RemoteVolume untouched = f.connect(other).volume(other.volumeId());
            old.write(0, new byte[4096], 0, 4096);
            assertEquals(2, f.server.metrics().sessions());
            ClientKeys.grant(f.pool.clients(), pc.id(), pc.key(), false); // the same key again: nothing changes
            Thread.sleep(1_500); // longer than a timer pass
            old.write(0, new byte[4096], 0, 4096);
            assertEquals(2, f.server.metrics().sessions(), "a session whose key was granted again stays");

            byte[] rotated = ClientKeys.newKey();
            ClientKeys.grant(f.pool.clients(), pc.id(), rotated, false);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (f.server.metrics().sessions() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(1, f.server.metrics().sessions(), "the session opened with the old key is closed");
            RemoteClosedException closed = assertThrows(RemoteClosedException.class,
                    () -> old.write(0, new byte[4096], 0, 4096), "the server told the client, which fails at once");
            assertEquals(Status.EPERM, closed.status());
            untouched.write(0, new byte[4096], 0, 4096); // another client's session is left alone
            NvspFixture.Member renewed = new NvspFixture.Member(pc.id(), pc.name(), rotated, pc.volumeId());
            f.connect(renewed).volume(pc.volumeId()).write(0, new byte[4096], 0, 4096);
            oldClient.close();

            NvspClient otherClient = NvspClient.connect(ClientOptions.builder(f.server.address(), other.id(),
                    other.key()).requestTimeout(Duration.ofSeconds(3)).build());
            RemoteVolume gone = otherClient.volume(other.volumeId());
            gone.write(0, new byte[4096], 0, 4096);
            f.pool.clients().remove(other.id());
            deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            RemoteClosedException removed = null;
            while (removed == null && System.nanoTime() < deadline) {
                try {
                    gone.write(0, new byte[4096], 0, 4096);
                } catch (RemoteClosedException e) {
                    removed = e;
                } catch (RemotePermissionException unassigned) {
                    Thread.sleep(50); // the volume lost its client at once; the session ends at the next pass
                }
            }
            assertEquals(Status.NO_SUCH_CLIENT, removed == null ? null : removed.status(),
                    "the sessions of a removed client end with NO_SUCH_CLIENT");
            otherClient.close();
        }
    }

    @Test
    void aClientCannotReachAnotherClientsVolume(@TempDir Path dir) {
        try (NvspFixture f = new NvspFixture(dir, b -> b).start()) {
            NvspFixture.Member a = f.member("a", MIB, false);
            NvspFixture.Member b = f.member("b", MIB, false);
            Volume bDisk = f.pool.volume(b.volumeId());
            byte[] original = new byte[4096];
            Arrays.fill(original, (byte) 7);
            bDisk.write(0, original);

            RemoteVolume stolen = f.connect(a).volume(b.volumeId());
            byte[] buffer = new byte[4096];
            refused(Status.EPERM, () -> stolen.read(0, buffer, 0, buffer.length));
            refused(Status.EPERM, () -> stolen.write(0, new byte[4096], 0, 4096));
            refused(Status.EPERM, () -> stolen.trim(0, 4096));
            refused(Status.EPERM, stolen::flush);

            byte[] after = new byte[4096];
            bDisk.read(0, MemorySegment.ofArray(after));
            assertArrayEquals(original, after, "b's volume is unchanged");
            assertArrayEquals(new byte[4096], buffer, "nothing of b's volume reached a");
            f.connect(a).volume(a.volumeId()).write(0, original, 0, original.length);
        }
    }

    @Test
    void managementNeedsTheManagerRoleAndTheCurrentLease(@TempDir Path dir) {
        try (NvspFixture f = new NvspFixture(dir, b -> b).start()) {
            NvspFixture.Member pc = f.member("pc", MIB, false);
            NvspFixture.Member admin = f.member("admin", 0, true);
            int volumes = f.pool.volumes().size();

            ManagementClient notAManager = f.connect(pc).management();
            refused(Status.EPERM, () -> notAManager.acquireLease(Duration.ofSeconds(30)));
            refused(Status.EPERM, () -> notAManager.createVolume("sneaky", MIB));

            ManagementClient manager = f.connect(admin).management();
            refused(Status.STALE_FENCING_TOKEN, () -> manager.createVolume("no-lease", MIB));
            assertEquals(volumes, f.pool.volumes().size(), "nothing was created");

            manager.acquireLease(Duration.ofSeconds(30));
            long made = manager.createVolume("with-lease", MIB);
            assertEquals("with-lease", f.pool.volume(made).name());

            ManagementClient rival = f.connect(admin).management();
            refused(Status.LEASE_HELD, () -> rival.acquireLease(Duration.ofSeconds(30)));
            refused(Status.STALE_FENCING_TOKEN, () -> rival.deleteVolume(made));
            assertEquals("with-lease", f.pool.volume(made).name(), "the rival deleted nothing");
        }
    }

    private static void refused(Status status, Executable call) {
        RemoteException e = assertThrows(RemoteException.class, call);
        assertEquals(status, e.status(), () -> "status of " + e);
        if (status == Status.EPERM || status == Status.STALE_FENCING_TOKEN || status == Status.LEASE_HELD) {
            assertEquals(RemotePermissionException.class, e.getClass(), "exact type");
        }
    }
}

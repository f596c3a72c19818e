package io.coems.nvsp.server;

import io.coems.nvsp.client.NvspClient;
import io.coems.nvsp.client.RemoteVolume;
import io.coems.vvm.Volume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random workloads from several concurrent clients through a relay that drops, duplicates,
 * reorders and corrupts datagrams (up to 20% loss): every read returns what the client's model
 * of its volume says, and at the end every volume equals its model, read locally from the pool.
 * A retransmitted WRITE applied twice, late, would roll a block back and break the model; a
 * corrupted or replayed datagram executed would too. The seed is printed; rerun one with
 * {@code -Dnvsp.seed=...}, run longer with {@code -Dnvsp.ops=...}.
 */
class LossyNetworkTest {
    private static final long VOLUME_BYTES = 4L << 20;
    private static final int OPS = Integer.getInteger("nvsp.ops", 60);
    private static final int CLIENTS = 4;

    @Test
    void concurrentClientsThroughALossyNetworkEndEqualToTheirModels(@TempDir Path dir) throws Exception {
        long seed = Long.getLong("nvsp.seed", System.nanoTime());
        System.out.println("LossyNetworkTest seed=" + seed + " (rerun with -Dnvsp.seed=" + seed + ")");
        LossyRelay.Impairments lossy = new LossyRelay.Impairments(0.20, 0.05, 0.05, 0.02, 20);
        try (NvspFixture f = new NvspFixture(dir, b -> b);
             LossyRelay relay = new LossyRelay(f.start().server.address(), LossyRelay.Impairments.NONE, seed)) {
            List<NvspFixture.Member> members = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                members.add(f.member("pc" + i, VOLUME_BYTES, false));
            }
            List<NvspClient> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                // Half the clients use the default 1,408-byte datagrams, half 8 KiB fragments.
                clients.add(f.connect(members.get(i), relay.address(), i % 2 == 0 ? 1408 : 8192 + 56));
            }
            relay.impairments(lossy);
            ExecutorService threads = Executors.newFixedThreadPool(CLIENTS);
            List<Future<byte[]>> models = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                RemoteVolume volume = clients.get(i).volume(members.get(i).volumeId());
                SplittableRandom random = new SplittableRandom(seed + i);
                String who = "client " + i + " (seed " + seed + ")";
                models.add(threads.submit(() -> workload(volume, random, who)));
            }
            List<byte[]> expected = new ArrayList<>();
            for (Future<byte[]> m : models) {
                expected.add(m.get());
            }
            threads.shutdown();
            relay.impairments(LossyRelay.Impairments.NONE);
            System.out.println(relay);

            ServerMetrics metrics = f.server.metrics();
            long forged = metrics.clients().stream().mapToLong(c -> c.drops().forged()).sum();
            long replayed = metrics.clients().stream().mapToLong(c -> c.drops().replayed()).sum();
            long retransmissions = metrics.clients().stream().mapToLong(c -> c.retransmissions()).sum();
            assertTrue(relay.corrupted.get() == 0 || forged > 0, "corrupted datagrams are counted: " + metrics);
            assertTrue(relay.duplicated.get() == 0 || replayed > 0, "replayed datagrams are counted: " + metrics);
            assertTrue(retransmissions > 0, "20% loss makes clients retransmit: " + metrics);
            long clientDrops = clients.stream().mapToLong(c -> c.stats().dropped()).sum();
            assertTrue(relay.corrupted.get() == 0 || clientDrops > 0, "clients drop damaged datagrams too");

            for (NvspClient c : clients) {
                c.close();
            }
            for (int i = 0; i < CLIENTS; i++) {
                Volume local = f.pool.volume(members.get(i).volumeId());
                byte[] actual = new byte[(int) VOLUME_BYTES];
                local.read(0, java.lang.foreign.MemorySegment.ofArray(actual));
                assertArrayEquals(expected.get(i), actual, "volume of client " + i + " equals its model, seed " + seed);
            }
        }
    }

    /** Runs random writes, reads (checked), trims and flushes; returns the model of the volume. */
    private static byte[] workload(RemoteVolume volume, SplittableRandom random, String who) {
        byte[] model = new byte[(int) VOLUME_BYTES];
        for (int op = 0; op < OPS; op++) {
            int length = 1 + random.nextInt(96 << 10);
            int offset = random.nextInt((int) VOLUME_BYTES - length);
            int kind = random.nextInt(10);
            if (kind < 5) {
                byte[] data = new byte[length];
                random.nextBytes(data);
                volume.write(offset, data, 0, length);
                System.arraycopy(data, 0, model, offset, length);
            } else if (kind < 8) {
                byte[] read = new byte[length];
                volume.read(offset, read, 0, length);
                assertArrayEquals(Arrays.copyOfRange(model, offset, offset + length), read,
                        who + ", op " + op + ": read of " + length + " bytes at " + offset);
            } else if (kind < 9) {
                volume.trim(offset, length);
                Arrays.fill(model, offset, offset + length, (byte) 0);
            } else {
                volume.flush();
            }
        }
        byte[] whole = new byte[model.length];
        volume.read(0, whole, 0, whole.length);
        assertEquals(-1, Arrays.mismatch(model, whole), who + ": whole volume read back equals the model");
        return model;
    }
}

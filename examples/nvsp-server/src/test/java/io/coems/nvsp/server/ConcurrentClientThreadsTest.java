package io.coems.nvsp.server;

import io.coems.nvsp.client.NvspClient;
import io.coems.nvsp.client.RemoteVolume;
import io.coems.vvm.Volume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
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
 * One client shared by many application threads, through a relay losing 20% of the datagrams:
 * the threads' request ids come from one counter, so while one request is being retried the
 * others issue new ones. None may push it out of the server's duplicate cache (STALE_REQUEST,
 * a WRITE of unknown outcome); every thread owns a region of the volume and checks its reads
 * against its model, and at the end every region equals its model, read locally from the pool.
 * The server grants few credits, so its cache remembers few ids. The seed is printed; rerun one
 * with {@code -Dnvsp.seed=...}, run longer with {@code -Dnvsp.ops=...}.
 */
class ConcurrentClientThreadsTest {
    private static final int THREADS = 8;
    private static final int REGION = 256 << 10;
    private static final int OPS = Integer.getInteger("nvsp.ops", 25);
    private static final int CREDITS = 4;

    @Test
    void threadsSharingAClientThroughALossyNetworkNeverGetStaleRequestsAndEndEqualToTheirModels(
            @TempDir Path dir) throws Exception {
        long seed = Long.getLong("nvsp.seed", System.nanoTime());
        System.out.println("ConcurrentClientThreadsTest seed=" + seed + " (rerun with -Dnvsp.seed=" + seed + ")");
        LossyRelay.Impairments lossy = new LossyRelay.Impairments(0.20, 0.05, 0.05, 0.02, 20);
        try (NvspFixture f = new NvspFixture(dir, b -> b.credits(CREDITS));
             LossyRelay relay = new LossyRelay(f.start().server.address(), LossyRelay.Impairments.NONE, seed)) {
            NvspFixture.Member member = f.member("shared", (long) THREADS * REGION, false);
            NvspClient client = f.connect(member, relay.address(), 1408);
            RemoteVolume volume = client.volume(member.volumeId());
            relay.impairments(lossy);
            ExecutorService threads = Executors.newFixedThreadPool(THREADS);
            List<Future<byte[]>> models = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int base = t * REGION;
                SplittableRandom random = new SplittableRandom(seed + t);
                String who = "thread " + t + " (seed " + seed + ")";
                models.add(threads.submit(() -> workload(volume, base, random, who)));
            }
            List<byte[]> expected = new ArrayList<>();
            for (Future<byte[]> m : models) {
                expected.add(m.get()); // a STALE_REQUEST would surface here as a RemoteException
            }
            threads.shutdown();
            relay.impairments(LossyRelay.Impairments.NONE);
            System.out.println(relay + " " + client.stats());

            ServerMetrics.ClientMetrics metrics = f.server.metrics().clients().stream()
                    .filter(c -> c.clientId() == member.id()).findFirst().orElseThrow();
            assertEquals(0, metrics.drops().stale(), "no request fell out of the duplicate cache: " + metrics);
            assertTrue(client.stats().retransmissions() > 0, "20% loss makes the client retransmit");
            client.close();

            Volume local = f.pool.volume(member.volumeId());
            for (int t = 0; t < THREADS; t++) {
                byte[] actual = new byte[REGION];
                local.read((long) t * REGION, MemorySegment.ofArray(actual));
                assertArrayEquals(expected.get(t), actual, "region of thread " + t + " equals its model, seed " + seed);
            }
        }
    }

    /** Runs random writes, reads (checked), trims and flushes in a region; returns its model. */
    private static byte[] workload(RemoteVolume volume, int base, SplittableRandom random, String who) {
        byte[] model = new byte[REGION];
        for (int op = 0; op < OPS; op++) {
            int length = 1 + random.nextInt(24 << 10);
            int offset = random.nextInt(REGION - length);
            int kind = random.nextInt(10);
            if (kind < 5) {
                byte[] data = new byte[length];
                random.nextBytes(data);
                volume.write(base + offset, data, 0, length);
                System.arraycopy(data, 0, model, offset, length);
            } else if (kind < 8) {
                byte[] read = new byte[length];
                volume.read(base + offset, read, 0, length);
                assertArrayEquals(Arrays.copyOfRange(model, offset, offset + length), read,
                        who + ", op " + op + ": read of " + length + " bytes at " + offset);
            } else if (kind < 9) {
                volume.trim(base + offset, length);
                Arrays.fill(model, offset, offset + length, (byte) 0);
            } else {
                volume.flush();
            }
        }
        byte[] whole = new byte[REGION];
        volume.read(base, whole, 0, REGION);
        assertEquals(-1, Arrays.mismatch(model, whole), who + ": whole region read back equals the model");
        return model;
    }
}

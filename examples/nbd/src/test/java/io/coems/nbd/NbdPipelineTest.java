package io.coems.nbd;

import io.coems.vvm.PoolOptions;
import io.coems.vvm.Volume;
import io.coems.vvm.VolumePool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several requests in flight on one connection: a raw client sends requests before reading
 * replies and matches the replies by cookie; a {@link HoldingExecutor} makes chosen requests slow.
 */
@Timeout(60)
class NbdPipelineTest {
    static final long SIZE = 128L << 20;

    @TempDir
    Path dir;
    VolumePool pool;
    Volume disk;
    NbdServer server;
    final HoldingExecutor executor = new HoldingExecutor();

    @BeforeEach
    void createPool() {
        pool = VolumePool.create(dir.resolve("pool"), PoolOptions.defaults().withFileBytes(PoolOptions.MIN_FILE_BYTES)
                .withMaxBytes(512L << 20).withCommitMillis(0));
        disk = pool.createVolume("disk", SIZE);
    }

    /** Starts the server with {@code maxInFlight} requests in flight per connection, run by {@link #executor}. */
    void start(int maxInFlight) {
        server = NbdServer.builder(pool).port(0).maxRequestsInFlight(maxInFlight).requestExecutor(executor).build().start();
    }

    @AfterEach
    void closeServerAndPool() {
        try (VolumePool closing = pool) {
            if (server != null) {
                server.close();
            }
        }
    }

    @ParameterizedTest(name = "structured {0}")
    @ValueSource(booleans = {false, true})
    void aSlowRequestDoesNotHoldBackLaterOnesAndRepliesComeOutOfOrder(boolean structured) throws Exception {
        start(NbdServer.DEFAULT_MAX_REQUESTS_IN_FLIGHT);
        byte[] old = random(1, 64 << 10);
        disk.write(0, old);
        try (TestClient c = new TestClient(server.port())) {
            if (structured) {
                c.goStructured("disk");
            } else {
                c.go("disk");
            }
            // The slow request is a WRITE: the FLUSH after it is answered first, as it covers
            // only the writes answered before it was read.
            executor.hold(1);
            byte[] slowData = random(5, 70_000);
            long slow = c.request(Nbd.CMD_FLAG_FUA, Nbd.CMD_WRITE, 4 << 20, slowData.length, slowData);
            executor.awaitHeld(1);
            byte[] data = random(2, 4096);
            long write = c.request(0, Nbd.CMD_WRITE, 1 << 20, data.length, data);
            long read = c.request(0, Nbd.CMD_READ, 8192, 4096, null);
            long flush = c.request(0, Nbd.CMD_FLUSH, 0, 0, null);
            Map<Long, byte[]> replies = new HashMap<>();
            for (int i = 0; i < 3; i++) {
                long cookie = c.peekCookie();
                int length = cookie == read ? 4096 : 0;
                TestClient.Reply reply = c.reply(cookie, 8192, length);
                assertEquals(0, reply.error());
                replies.put(cookie, reply.data());
            }
            assertEquals(Set.of(write, read, flush), replies.keySet(), "the held WRITE was not answered yet");
            assertArrayEquals(slice(old, 8192, 4096), replies.get(read));
            assertArrayEquals(data, read(1 << 20, data.length));
            executor.releaseOne();
            assertEquals(slow, c.peekCookie());
            assertEquals(0, c.reply(slow, 0, 0).error());
            assertArrayEquals(slowData, read(4 << 20, slowData.length));
        }
    }

    @Test
    void theConnectionReadsNoRequestWhileTheLimitIsInFlight() throws Exception {
        int limit = 4;
        start(limit);
        try (TestClient c = new TestClient(server.port())) {
            c.go("disk");
            executor.hold(Integer.MAX_VALUE);
            List<Long> cookies = new ArrayList<>();
            for (int i = 0; i < limit + 3; i++) {
                cookies.add(c.request(0, Nbd.CMD_CACHE, (long) i << 16, 4096, null));
            }
            executor.awaitHeld(limit);
            // A negative check: it cannot fail spuriously, only miss a late extra request.
            Thread.sleep(300);
            assertEquals(limit, executor.submitted(), "requests read while " + limit + " were in flight");
            Set<Long> answered = new HashSet<>();
            for (int i = 0; i < limit + 3; i++) {
                executor.releaseOne();
                long cookie = c.peekCookie();
                assertEquals(0, c.reply(cookie, 0, 0).error());
                answered.add(cookie);
                executor.awaitSubmitted(Math.min(limit + 3, limit + i + 1));
                assertTrue(executor.submitted() - answered.size() <= limit);
            }
            assertEquals(Set.copyOf(cookies), answered);
            assertEquals(0, executor.heldCount());
        }
    }

    @Test
    void discAnswersTheRequestsInFlightBeforeClosing() throws Exception {
        start(NbdServer.DEFAULT_MAX_REQUESTS_IN_FLIGHT);
        try (TestClient c = new TestClient(server.port())) {
            c.go("disk");
            executor.hold(1);
            byte[] data = random(3, 100_000);
            long write = c.request(Nbd.CMD_FLAG_FUA, Nbd.CMD_WRITE, 12345, data.length, data);
            executor.awaitHeld(1);
            c.request(0, Nbd.CMD_DISC, 0, 0, null);
            Thread.sleep(100); // lets the connection read DISC; without it the test only checks less
            executor.releaseOne();
            assertEquals(0, c.reply(write, 0, 0).error());
            assertEquals(-1, c.in.read());
            assertArrayEquals(data, read(12345, data.length));
        }
    }

    @Test
    void closingTheServerAnswersTheRequestsInFlight() throws Exception {
        start(NbdServer.DEFAULT_MAX_REQUESTS_IN_FLIGHT);
        byte[] old = random(4, 4096);
        disk.write(1 << 20, old);
        try (TestClient c = new TestClient(server.port())) {
            c.go("disk");
            executor.hold(1);
            long read = c.request(0, Nbd.CMD_READ, 1 << 20, old.length, null);
            executor.awaitHeld(1);
            Thread closing = Thread.ofVirtual().start(server::close);
            executor.releaseOne();
            assertArrayEquals(old, c.reply(read, 1 << 20, old.length).data());
            closing.join();
            assertEquals(-1, c.in.read());
        }
    }

    @Test
    void aBrokenFramingEndsTheConnectionWithRequestsInFlight() throws Exception {
        start(NbdServer.DEFAULT_MAX_REQUESTS_IN_FLIGHT);
        try (TestClient c = new TestClient(server.port())) {
            c.go("disk");
            executor.hold(1);
            c.request(0, Nbd.CMD_READ, 0, 4096, null);
            executor.awaitHeld(1);
            c.out.writeInt(0x12345678); // not a request magic
            c.out.write(new byte[24]);
            c.out.flush();
            executor.releaseOne();
            assertThrows(IOException.class, () -> {
                while (c.in.read() >= 0) {
                    // whatever was sent before the connection closed
                }
                throw new IOException("end of stream");
            });
        }
    }

    @ParameterizedTest(name = "structured {0}")
    @ValueSource(booleans = {false, true})
    void manyPipelinedReadsAndWritesAreAnsweredWithTheRightData(boolean structured) throws Exception {
        start(8);
        long seed = new Random().nextLong();
        System.out.println("NbdPipelineTest seed " + seed);
        Random random = new Random(seed);
        // writes to separate regions (one longer than a request buffer), some with FUA, FLUSHes
        // among them; then every region read back, all requests sent before their replies are read
        List<Planned> writes = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int length = i == 7 ? (3 << 20) / 2 : 1 + random.nextInt(200_000);
            byte[] data = random(random.nextLong(), length);
            writes.add(new Planned(random.nextInt(4) == 0 ? Nbd.CMD_FLAG_FUA : 0, Nbd.CMD_WRITE,
                    (2L << 20) * i + random.nextInt(1000), data));
            if (random.nextInt(8) == 0) {
                writes.add(new Planned(0, Nbd.CMD_FLUSH, 0, null));
            }
        }
        List<Planned> reads = writes.stream().filter(w -> w.type == Nbd.CMD_WRITE)
                .map(w -> new Planned(0, Nbd.CMD_READ, w.offset, w.data)).toList();
        try (TestClient c = new TestClient(server.port());
             ExecutorService sender = Executors.newVirtualThreadPerTaskExecutor()) {
            if (structured) {
                c.goStructured("disk");
            } else {
                c.go("disk");
            }
            for (List<Planned> batch : List.of(writes, reads)) {
                long first = c.cookie + 1; // the client numbers its requests in order
                Future<?> sending = sender.submit(() -> {
                    for (Planned p : batch) {
                        c.request(p.flags, p.type, p.offset, p.length(), p.type == Nbd.CMD_WRITE ? p.data : null);
                    }
                    return null;
                });
                Set<Long> answered = new HashSet<>();
                for (int i = 0; i < batch.size(); i++) {
                    long cookie = c.peekCookie();
                    Planned p = batch.get((int) (cookie - first));
                    int readLength = p.type == Nbd.CMD_READ ? p.data.length : 0;
                    TestClient.Reply reply = c.reply(cookie, p.offset, readLength);
                    assertEquals(0, reply.error(), "request " + cookie + ", seed " + seed);
                    if (readLength > 0) {
                        assertArrayEquals(p.data, reply.data(), "the region at " + p.offset + ", seed " + seed);
                    }
                    assertTrue(answered.add(cookie), "two replies to " + cookie);
                }
                sending.get();
            }
        }
    }

    /** A request planned by a test: for WRITE the data to send, for READ the data expected. */
    private record Planned(int flags, int type, long offset, byte[] data) {
        long length() {
            return data == null ? 0 : data.length;
        }
    }

    @Test
    void theBuilderRefusesABadLimit() {
        NbdServer.Builder builder = NbdServer.builder(pool);
        assertEquals("requests in flight 0 is not from 1 to 1024",
                assertThrows(IllegalArgumentException.class, () -> builder.maxRequestsInFlight(0)).getMessage());
        assertEquals("requests in flight 1025 is not from 1 to 1024",
                assertThrows(IllegalArgumentException.class, () -> builder.maxRequestsInFlight(1025)).getMessage());
    }

    private byte[] read(long offset, int length) {
        byte[] out = new byte[length];
        disk.read(offset, out);
        return out;
    }

    private static byte[] random(long seed, int length) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static byte[] slice(byte[] data, int from, int length) {
        byte[] out = new byte[length];
        System.arraycopy(data, from, out, 0, length);
        return out;
    }
}

package io.coems.nvsp.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coems.nvsp.Status;
import io.coems.nvsp.message.MessageType;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Lost, duplicated, reordered, forged and truncated datagrams; NACKs; timeouts; NO_CREDIT. */
class LossTest {
    private FakeServer server;
    private NvspClient client;
    private RemoteVolume volume;

    @BeforeEach
    void start() throws Exception {
        server = new FakeServer(FakeServer.psk());
        client = NvspClient.connect(server.options().requestTimeout(Duration.ofSeconds(10)).build());
        volume = client.volume(FakeServer.VOLUME);
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.close();
    }

    @Test
    void aDroppedRequestIsSentAgainWithTheSameRequestId() {
        server.inbound(p -> p.type() == MessageType.READ && p.copy() == 0 ? FakeServer.Fate.DROP : FakeServer.Fate.PASS);
        byte[] back = new byte[100];
        volume.read(0, back, 0, back.length);
        List<FakeServer.Event> dropped = server.events("dropped-in");
        List<FakeServer.Event> executed = server.events("request");
        assertEquals(1, dropped.size());
        assertEquals(1, executed.size());
        assertEquals(dropped.getFirst().requestId(), executed.getFirst().requestId());
        assertTrue(client.stats().retransmissions() >= 1);
    }

    @Test
    void aDroppedResponseIsAnsweredFromTheServersCacheAndTheWriteAppliedOnce() {
        server.outbound(p -> p.type() == MessageType.WRITE_RESPONSE && p.copy() == 0
                ? FakeServer.Fate.DROP : FakeServer.Fate.PASS);
        byte[] data = TestBytes.random(1000, 1);
        volume.write(500, data, 0, data.length);
        List<FakeServer.Event> executed = server.events("request");
        List<FakeServer.Event> duplicates = server.events("duplicate");
        assertEquals(1, executed.size(), "executed once");
        assertEquals(1, duplicates.size());
        assertEquals(executed.getFirst().requestId(), duplicates.getFirst().requestId(), "the same request id");
        assertArrayEquals(data, Arrays.copyOfRange(server.volume, 500, 1500));
    }

    @Test
    void missingReadFragmentsAreNackedAndOnlyThoseResent() {
        byte[] data = TestBytes.random(65536, 2);
        System.arraycopy(data, 0, server.volume, 0, data.length);
        Set<Integer> lost = Set.of(3, 17, 48);
        server.outbound(p -> p.fragments() > 1 && lost.contains(p.fragment()) && p.copy() == 0
                ? FakeServer.Fate.DROP : FakeServer.Fate.PASS);
        byte[] back = new byte[65536];
        volume.read(0, back, 0, back.length);
        assertArrayEquals(data, back);
        FakeServer.Event nack = server.events("nack").getFirst();
        assertEquals("[3, 17, 48]", nack.detail());
        assertEquals(List.of("3", "17", "48"), server.events("resent").stream().map(FakeServer.Event::detail).limit(3).toList());
        assertEquals(server.events("request").getFirst().requestId(), nack.requestId());
        assertTrue(client.stats().nacksSent() >= 1);
    }

    @Test
    void aRequestFragmentTheServerNacksIsResentAlone() {
        server.inbound(p -> p.fragments() > 1 && p.fragment() == 5 && p.copy() == 0
                ? FakeServer.Fate.DROP : FakeServer.Fate.PASS);
        byte[] data = TestBytes.random(65536, 3);
        volume.write(0, data, 0, data.length);
        assertArrayEquals(data, Arrays.copyOf(server.volume, data.length));
        // Under load the client may pause longer than the fake server's NACK gap while sending:
        // fragments still on their way are then NACKed too, after 5.
        String missing = server.events("nack-out").getFirst().detail();
        assertTrue(missing.equals("[5]") || missing.startsWith("[5, "), missing);
        assertTrue(client.stats().fragmentsResent() >= 1);
        assertEquals(1, server.events("request").size());
    }

    @ParameterizedTest
    @EnumSource(value = FakeServer.Fate.class, names = {"CORRUPT", "DUPLICATE", "TRUNCATE"})
    void forgedReplayedAndMalformedDatagramsAreDroppedAndCounted(FakeServer.Fate fate) {
        byte[] data = TestBytes.random(20_000, 4);
        System.arraycopy(data, 0, server.volume, 0, data.length);
        server.outbound(p -> p.fragment() == 2 && p.copy() == 0 ? fate : FakeServer.Fate.PASS);
        byte[] back = new byte[data.length];
        volume.read(0, back, 0, back.length);
        assertArrayEquals(data, back);
        ClientStats stats = client.stats();
        long expected = switch (fate) {
            case CORRUPT -> stats.forged();
            case DUPLICATE -> stats.replayed();
            default -> stats.malformed();
        };
        assertEquals(1, expected, fate + " counted under its cause: " + stats);
        assertEquals(1, stats.forged() + stats.replayed() + stats.malformed(), "and under no other: " + stats);
        assertTrue(stats.dropped() >= 1, stats.toString());
    }

    @Test
    void aForgedCopyOfAFragmentReceivedLeavesItAndTheResponseIntact() {
        byte[] data = TestBytes.random(65536, 6);
        System.arraycopy(data, 0, server.volume, 0, data.length);
        server.outbound(p -> p.fragments() > 1 && p.fragment() % 3 == 1 && p.copy() == 0
                ? FakeServer.Fate.FORGED_COPY : FakeServer.Fate.PASS);
        byte[] back = new byte[data.length];
        volume.read(0, back, 0, back.length);
        assertArrayEquals(data, back);
        ClientStats stats = client.stats();
        assertTrue(stats.forged() >= 1, stats.toString());
        // a forged copy that reached the received fragment's bytes would fail the checksum: dropped too
        assertEquals(stats.forged(), stats.dropped(), "nothing dropped but the forged copies: " + stats);
    }

    @Test
    void reorderedFragmentsAreReassembled() {
        byte[] data = TestBytes.random(65536, 5);
        System.arraycopy(data, 0, server.volume, 0, data.length);
        server.outbound(p -> p.fragment() == 0 && p.fragments() > 1 && p.copy() == 0
                ? FakeServer.Fate.DELAY : FakeServer.Fate.PASS);
        byte[] back = new byte[data.length];
        volume.read(0, back, 0, back.length);
        assertArrayEquals(data, back);
        assertEquals(0, client.stats().dropped());
    }

    @Test
    void noCreditMakesTheClientBackOffAndSendAgain() {
        AtomicBoolean refused = new AtomicBoolean();
        server.blockStatus(r -> r.type() == MessageType.READ && refused.compareAndSet(false, true) ? Status.NO_CREDIT : null);
        byte[] back = new byte[10];
        volume.read(0, back, 0, back.length);
        assertEquals(1, server.events("no-credit").size());
        assertEquals(server.events("no-credit").getFirst().requestId(), server.events("request").getFirst().requestId());
        assertTrue(client.stats().retransmissions() >= 1);
    }

    @Test
    void noAnswerWithinTheRequestTimeoutIsATimeout() throws Exception {
        try (NvspClient impatient = NvspClient.connect(server.options().requestTimeout(Duration.ofMillis(400)).build())) {
            server.inbound(p -> p.type() == MessageType.READ ? FakeServer.Fate.DROP : FakeServer.Fate.PASS);
            RemoteTimeoutException failure = assertThrows(RemoteTimeoutException.class,
                    () -> impatient.volume(FakeServer.VOLUME).read(4096, new byte[8], 0, 8));
            assertNull(failure.status());
            assertTrue(failure.getMessage().contains("READ of 8 bytes at 4096 of volume 1"), failure.getMessage());
            ClientStats stats = impatient.stats();
            assertEquals(1, stats.timeouts());
            assertTrue(stats.retransmissions() >= 1);
            assertEquals(1, server.events("dropped-in").stream().map(FakeServer.Event::requestId).distinct().count(),
                    "every copy under one request id");
            server.inbound(p -> FakeServer.Fate.PASS);
            impatient.volume(FakeServer.VOLUME).read(4096, new byte[8], 0, 8); // the client goes on
        }
    }

    @Test
    void aRequestBeingRetriedIsNeverLeftFurtherBehindThanTheServerRemembers() throws Exception {
        server.credits(2); // the server remembers 8 request ids
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (NvspClient twoCredits = NvspClient.connect(server.options().build())) {
            RemoteVolume disk = twoCredits.volume(FakeServer.VOLUME);
            server.inbound(p -> p.type() == MessageType.WRITE && p.copy() < 3 ? FakeServer.Fate.DROP : FakeServer.Fate.PASS);
            byte[] data = TestBytes.random(300, 6);
            Future<?> write = threads.submit(() -> disk.write(8192, data, 0, data.length));
            Future<Integer> reads = threads.submit(() -> {
                int count = 0;
                for (; count < 500 && !write.isDone(); count++) {
                    disk.read(0, new byte[16], 0, 16);
                }
                return count;
            });
            write.get(); // before the fix: STALE_REQUEST, the write's outcome unknown
            assertTrue(reads.get() > 0);
            assertEquals(List.of(), server.events("stale"));
            assertEquals(3, server.events("dropped-in").size(), "the write was retried while the reads went on");
            assertArrayEquals(data, Arrays.copyOfRange(server.volume, 8192, 8192 + data.length));
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aStaleReadIsSentAgainUnderANewRequestId() {
        byte[] data = TestBytes.random(100, 7);
        System.arraycopy(data, 0, server.volume, 4096, data.length);
        AtomicBoolean stale = new AtomicBoolean();
        server.blockStatus(r -> r.type() == MessageType.READ && stale.compareAndSet(false, true)
                ? Status.STALE_REQUEST : null);
        byte[] back = new byte[data.length];
        volume.read(4096, back, 0, back.length);
        assertArrayEquals(data, back);
        List<Long> ids = server.events("request").stream().map(FakeServer.Event::requestId).toList();
        assertEquals(2, ids.size());
        assertTrue(ids.get(1) > ids.get(0), "a new request id: " + ids);
    }

    @Test
    void aStaleWriteIsThrownBecauseItsOutcomeIsUnknown() {
        server.blockStatus(r -> Status.STALE_REQUEST);
        RemoteException failure = assertThrows(RemoteException.class, () -> volume.write(0, new byte[10], 0, 10));
        assertEquals(Status.STALE_REQUEST, failure.status());
        assertEquals(1, server.events("request").size(), "not sent again");
    }
}

package io.coems.nvsp.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.coems.nvsp.client.Eventually.await;

import io.coems.nvsp.Status;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Sessions lost and renewed, closed by either side, and kept alive. */
class SessionTest extends FakeServerTest {
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    private Future<byte[]> readInBackground(RemoteVolume volume, int length) {
        return threads.submit(() -> {
            byte[] back = new byte[length];
            volume.read(0, back, 0, length);
            return back;
        });
    }

    private byte[] fill(int length) {
        byte[] data = TestBytes.random(length, length);
        System.arraycopy(data, 0, server.volume, 0, length);
        return data;
    }

    @Test
    void aRestartedServerAnswersUnknownSessionAndRequestsInFlightCompleteOnANewSession() throws Exception {
        byte[] data = fill(4 * 65536);
        try (NvspClient client = NvspClient.connect(server.options().build())) {
            long first = client.sessionId();
            server.hold();
            Future<byte[]> read = readInBackground(client.volume(FakeServer.VOLUME), data.length);
            await(() -> server.heldCount() == 4);
            server.restart();
            assertArrayEquals(data, read.get());
            assertTrue(server.events("unknown-session").size() >= 1);
            assertEquals(1, client.stats().rehandshakes());
            assertNotEquals(first, client.sessionId());
            assertEquals(1, server.sessionCount());
        }
    }

    @Test
    void closeWithEshutdownStartsANewHandshakeAndRequestsInFlightComplete() throws Exception {
        byte[] data = fill(4 * 65536);
        try (NvspClient client = NvspClient.connect(server.options().build())) {
            server.hold();
            Future<byte[]> read = readInBackground(client.volume(FakeServer.VOLUME), data.length);
            await(() -> server.heldCount() == 4);
            server.closeSessions(Status.ESHUTDOWN);
            assertArrayEquals(data, read.get());
            assertEquals(1, client.stats().rehandshakes());
            assertEquals(1, server.events("close-response").size(), "the client answered CLOSE");
        }
    }

    @Test
    void answersADrainingServerStillSendsAreUsedAndWhatItRefusedRunsOnTheNewSession() throws Exception {
        byte[] data = fill(4 * 65536);
        try (NvspClient client = NvspClient.connect(server.options().build())) {
            RemoteVolume volume = client.volume(FakeServer.VOLUME);
            server.hold();
            Future<byte[]> inFlight = readInBackground(volume, data.length);
            await(() -> server.heldCount() == 4);
            server.drain();
            Future<byte[]> refused = readInBackground(volume, 100);
            await(() -> !server.events("eshutdown").isEmpty());
            server.releaseHeld();
            assertArrayEquals(data, inFlight.get(), "answered by the draining server");
            server.closeSessions(Status.ESHUTDOWN);
            assertArrayEquals(Arrays.copyOf(data, 100), refused.get(), "sent again on the new session");
            assertEquals(5, server.events("request").size(), "every READ executed once: " + server.events("request"));
            assertEquals(0, client.stats().dropped(), client.stats().toString());
            assertEquals(1, client.stats().rehandshakes());
        }
    }

    @Test
    void anUnknownSessionEchoingNothingSentIsDroppedAndTheSessionLivesOn() throws Exception {
        try (NvspClient client = NvspClient.connect(server.options().build())) {
            long first = client.sessionId();
            RemoteVolume volume = client.volume(FakeServer.VOLUME);
            volume.read(0, new byte[8], 0, 8);
            server.forgeUnknownSession(false);
            await(() -> client.stats().dropped() == 1);
            volume.read(0, new byte[8], 0, 8);
            assertEquals(0, client.stats().rehandshakes());
            assertEquals(first, client.sessionId());
        }
    }

    @Test
    void beforeResendingOnANewSessionTheClientClosesTheOldOneWithItsKeys() throws Exception {
        byte[] data = TestBytes.random(1000, 9);
        try (NvspClient client = NvspClient.connect(server.options().build())) {
            long first = client.sessionId();
            server.hold();
            Future<?> write = threads.submit(() -> client.volume(FakeServer.VOLUME).write(0, data, 0, data.length));
            await(() -> server.heldCount() == 1);
            server.forgeUnknownSession(true); // believed: it echoes the WRITE; the old session lives on
            await(() -> server.events("request").size() == 2);
            server.releaseHeld();
            write.get();
            List<FakeServer.Event> events = server.events();
            int close = events.indexOf(server.events("close").getFirst());
            int resent = events.lastIndexOf(server.events("request").get(1)); // equal to the first: same id
            assertTrue(close < resent, "CLOSE of the old session before the WRITE is sent again: " + events);
            assertEquals(1, client.stats().rehandshakes());
            assertNotEquals(first, client.sessionId());
            assertArrayEquals(data, Arrays.copyOf(server.volume, data.length));
        }
    }

    @Test
    void closeWithAnotherReasonClosesTheClient() throws Exception {
        try (NvspClient client = NvspClient.connect(server.options().build())) {
            server.closeSessions(Status.OK);
            await(() -> !server.events("close-response").isEmpty());
            RemoteVolume volume = client.volume(FakeServer.VOLUME);
            await(() -> client.sessionId() == 0);
            RemoteClosedException failure = assertThrows(RemoteClosedException.class,
                    () -> volume.read(0, new byte[1], 0, 1));
            assertEquals(Status.OK, failure.status());
        }
    }

    @Test
    void closeFailsWaitingCallsSendsCloseAndIsIdempotent() throws Exception {
        NvspClient client = NvspClient.connect(server.options().build());
        server.hold();
        Future<byte[]> read = readInBackground(client.volume(FakeServer.VOLUME), 100);
        await(() -> server.heldCount() == 1);
        client.close();
        ExecutionException failure = assertThrows(ExecutionException.class, read::get);
        RemoteClosedException closed = assertInstanceOf(RemoteClosedException.class, failure.getCause());
        assertNull(closed.status());
        assertEquals(1, server.events("close").size());
        client.close();
        int received = server.datagramsReceived();
        assertThrows(RemoteClosedException.class, () -> client.volume(FakeServer.VOLUME).read(0, new byte[1], 0, 1));
        assertThrows(RemoteClosedException.class, () -> client.management().listVolumes());
        assertEquals(received, server.datagramsReceived(), "nothing sent after close");
        assertEquals(1, server.events("close").size());
    }

    @Test
    void closeWakesThreadsWaitingForACredit() throws Exception {
        server.credits(1);
        NvspClient client = NvspClient.connect(server.options().build());
        server.hold();
        Future<byte[]> first = readInBackground(client.volume(FakeServer.VOLUME), 100);
        Future<byte[]> second = readInBackground(client.volume(FakeServer.VOLUME), 100);
        await(() -> server.heldCount() == 1);
        client.close();
        assertInstanceOf(RemoteClosedException.class, assertThrows(ExecutionException.class, first::get).getCause());
        assertInstanceOf(RemoteClosedException.class, assertThrows(ExecutionException.class, second::get).getCause());
    }

    @Test
    void anIdleClientSendsKeepAlives() throws Exception {
        server.keepAliveSeconds(1);
        try (NvspClient client = NvspClient.connect(server.options().build())) {
            await(() -> !server.events("keepalive").isEmpty());
            assertEquals(0, client.stats().requests(), "keep-alives are no requests");
        }
    }

    @Test
    void requestsTimeOutWhileTheSessionCannotBeRenewed() throws Exception {
        try (NvspClient client = NvspClient.connect(server.options().requestTimeout(Duration.ofMillis(300)).build())) {
            server.restart();
            server.badProof(true);
            RemoteVolume volume = client.volume(FakeServer.VOLUME);
            assertThrows(RemoteTimeoutException.class, () -> volume.read(0, new byte[1], 0, 1));
            assertEquals(1, client.stats().rehandshakes());
            assertEquals(0, client.sessionId());
        }
    }
}

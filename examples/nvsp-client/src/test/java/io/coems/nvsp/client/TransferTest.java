package io.coems.nvsp.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coems.nvsp.message.MessageType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reads, writes and the other block requests over a clean network, in every datagram size. */
class TransferTest extends FakeServerTest {

    @ParameterizedTest
    @ValueSource(ints = {576, 1408, 8192, 9000, ClientOptions.MAX_DATAGRAM})
    void largeWritesAndReadsRoundTripInEveryDatagramSize(int maxDatagram) throws Exception {
        try (NvspClient client = NvspClient.connect(server.options().maxDatagram(maxDatagram).build())) {
            assertEquals(maxDatagram, client.maxDatagram());
            RemoteVolume volume = client.volume(FakeServer.VOLUME);
            byte[] data = TestBytes.random(300_001, maxDatagram);
            volume.write(70_000, data, 0, data.length);
            assertArrayEquals(data, Arrays.copyOfRange(server.volume, 70_000, 70_000 + data.length));
            byte[] back = new byte[data.length + 2];
            volume.read(70_000, back, 1, data.length);
            assertArrayEquals(data, Arrays.copyOfRange(back, 1, data.length + 1));
            assertEquals(0, client.stats().dropped());
        }
    }

    @Test
    void theServersSmallerDatagramWins() throws Exception {
        server.maxDatagram(4000);
        try (NvspClient client = NvspClient.connect(server.options().maxDatagram(9000).build())) {
            assertEquals(4000, client.maxDatagram());
            byte[] data = TestBytes.random(100_000, 3);
            client.volume(FakeServer.VOLUME).write(0, MemorySegment.ofArray(data));
            assertArrayEquals(data, Arrays.copyOf(server.volume, data.length));
        }
    }

    @Test
    void aFailedTransferReturnsOnlyOnceItsOtherRequestsAreAnswered() throws Exception {
        server.blockStatus(r -> r.volumeOffset() == 0 ? io.coems.nvsp.Status.EIO : null);
        server.delayAnswers(r -> r.volumeOffset() == 0 ? 0L : 300L);
        try (NvspClient client = NvspClient.connect(server.options().build())) {
            RemoteVolume volume = client.volume(FakeServer.VOLUME);
            byte[] data = TestBytes.random(4 * 65536, 8);
            assertThrows(RemoteIoException.class, () -> volume.write(0, data, 0, data.length));
            assertTrue(server.events("request").size() >= 2, "the second part is sent before the first fails");
            assertEquals(0, server.pendingCount(), "no part of the failed write still runs on the server");
        }
    }

    @Test
    void largeTransfersArePipelinedUpToTheCredits() throws Exception {
        server.credits(4);
        try (NvspClient client = NvspClient.connect(server.options().build());
                ExecutorService threads = Executors.newSingleThreadExecutor()) {
            RemoteVolume volume = client.volume(FakeServer.VOLUME);
            byte[] data = TestBytes.random(2 << 20, 5);
            server.hold();
            Future<?> write = threads.submit(() -> volume.write(0, MemorySegment.ofArray(data)));
            Eventually.await(() -> server.heldCount() == 4);
            server.releaseHeld();
            write.get();
            assertEquals(4, server.maxPending(), "four requests in flight at once, never more");
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment back = arena.allocate(data.length);
                volume.read(0, back);
                assertArrayEquals(data, back.toArray(ValueLayout.JAVA_BYTE));
            }
            assertEquals(4, server.maxPending());
            assertEquals(64, client.stats().requests(), "2 MiB each way in 64 KiB requests");
            assertTrue(server.events("no-credit").isEmpty());
        }
    }

    @Test
    void threadsSharingTheCreditsNeverExceedThem() throws Exception {
        server.credits(2);
        server.responseDelayMillis(10);
        try (NvspClient client = NvspClient.connect(server.options().build());
                ExecutorService threads = Executors.newFixedThreadPool(6)) {
            RemoteVolume volume = client.volume(FakeServer.VOLUME);
            List<Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int slice = t;
                done.add(threads.submit(() -> {
                    byte[] data = TestBytes.random(300_000, slice);
                    volume.write(slice * 1_000_000L, data, 0, data.length);
                    byte[] back = new byte[data.length];
                    volume.read(slice * 1_000_000L, back, 0, back.length);
                    assertArrayEquals(data, back);
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
            assertEquals(2, server.maxPending());
            assertTrue(server.events("no-credit").isEmpty());
        }
    }

    @Test
    void flushTrimWriteZeroesAndBlockStatus() throws Exception {
        try (NvspClient client = NvspClient.connect(server.options().build())) {
            RemoteVolume volume = client.volume(FakeServer.VOLUME);
            byte[] data = TestBytes.random(4 * 65536, 7);
            volume.writeFua(0, MemorySegment.ofArray(data));
            volume.flush();
            assertEquals(1, server.flushes());
            volume.trim(65536, 65536);
            volume.writeZeroes(3 * 65536 + 100, 1000, true);
            byte[] expected = data.clone();
            Arrays.fill(expected, 65536, 2 * 65536, (byte) 0);
            Arrays.fill(expected, 3 * 65536 + 100, 3 * 65536 + 1100, (byte) 0);
            byte[] back = new byte[data.length];
            volume.read(0, back, 0, back.length);
            assertArrayEquals(expected, back);
            // 40 blocks, the server reports at most 16 per response: the client asks again and merges
            List<RemoteExtent> extents = volume.blockStatus(0, 40 * 65536);
            assertEquals(List.of(new RemoteExtent(0, 65536, false, false),
                    new RemoteExtent(65536, 65536, true, true),
                    new RemoteExtent(2 * 65536, 2 * 65536, false, false),
                    new RemoteExtent(4 * 65536, 36 * 65536, true, true)), extents);
        }
    }

    @Test
    void emptyTransfersSendNothing() throws Exception {
        try (NvspClient client = NvspClient.connect(server.options().build())) {
            RemoteVolume volume = client.volume(FakeServer.VOLUME);
            int before = server.datagramsReceived();
            volume.read(5, new byte[0], 0, 0);
            volume.write(5, MemorySegment.ofArray(new byte[0]));
            volume.trim(5, 0);
            volume.writeZeroes(5, 0, false);
            assertEquals(List.of(), volume.blockStatus(5, 0));
            assertEquals(before, server.datagramsReceived());
        }
    }

    @Test
    void theReceiveThreadSettlesPartsStraightIntoTheCallersMemory() throws Exception {
        server.credits(4);
        byte[] data = TestBytes.random(20 * 65536, 11);
        System.arraycopy(data, 0, server.volume, 0, data.length);
        Connection connection = Connection.open(server.options().build());
        try {
            for (boolean anyThread : new boolean[] {true, false}) {
                byte[] back = new byte[data.length];
                Set<String> encoders = ConcurrentHashMap.newKeySet();
                Set<String> decoders = ConcurrentHashMap.newKeySet();
                long requestsBefore = connection.stats().requests();
                new Transfer(connection, data.length, Call.MAX_DATA,
                        (call, position, length) -> {
                            encoders.add(Thread.currentThread().getName());
                            call.encodeBlock(MessageType.READ, FakeServer.VOLUME, position, length, 0);
                        },
                        (call, position, length) -> {
                            decoders.add(Thread.currentThread().getName());
                            call.readResponse().data().copyTo(MemorySegment.ofArray(back), position);
                        }, anyThread).run();
                assertArrayEquals(data, back);
                assertEquals(20, connection.stats().requests() - requestsBefore);
                String owner = Thread.currentThread().getName();
                String receiver = "nvsp-client " + server.address();
                assertEquals(Set.of(owner), encoders, "anyThread " + anyThread);
                assertEquals(Set.of(anyThread ? receiver : owner), decoders, "anyThread " + anyThread);
            }
            assertEquals(4, server.maxPending(), "four requests in flight at once, never more");
        } finally {
            connection.close();
        }
    }

    @Test
    void anInterruptedTransferThrowsAndLeavesTheClientUsable() throws Exception {
        server.credits(4);
        try (NvspClient client = NvspClient.connect(server.options().build());
                ExecutorService threads = Executors.newSingleThreadExecutor()) {
            RemoteVolume volume = client.volume(FakeServer.VOLUME);
            byte[] data = TestBytes.random(16 * 65536, 12);
            volume.write(0, data, 0, data.length);
            server.hold();
            Thread[] reader = new Thread[1];
            Future<Boolean> read = threads.submit(() -> {
                reader[0] = Thread.currentThread();
                RemoteException failure = assertThrows(RemoteException.class,
                        () -> volume.read(0, new byte[data.length], 0, data.length));
                assertTrue(failure.getMessage().contains("interrupted"), failure.getMessage());
                return Thread.interrupted();
            });
            Eventually.await(() -> server.heldCount() == 4);
            reader[0].interrupt();
            assertTrue(read.get(), "the interrupt is kept");
            server.releaseHeld();
            byte[] back = new byte[data.length];
            volume.read(0, back, 0, back.length);
            assertArrayEquals(data, back);
        }
    }
}

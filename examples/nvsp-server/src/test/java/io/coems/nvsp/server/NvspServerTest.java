package io.coems.nvsp.server;

import static io.coems.nvsp.server.RawPeer.block;
import static io.coems.nvsp.server.RawPeer.empty;
import static io.coems.nvsp.server.RawPeer.read;
import static io.coems.nvsp.server.RawPeer.status;
import static io.coems.nvsp.server.RawPeer.type;
import static io.coems.nvsp.server.RawPeer.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coems.nvsp.SecurityMode;
import io.coems.nvsp.Status;
import io.coems.nvsp.message.Accept;
import io.coems.nvsp.message.BlockStatusResponse;
import io.coems.nvsp.message.Hello;
import io.coems.nvsp.message.MessageType;
import io.coems.nvsp.message.Nack;
import io.coems.nvsp.message.RangeRequest;
import io.coems.nvsp.message.ReadResponse;
import io.coems.vvm.Client;
import io.coems.vvm.PoolOptions;
import io.coems.vvm.Volume;
import io.coems.vvm.VolumePool;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives a running server with raw datagrams built with the codec. */
class NvspServerTest {
    private static final int KIB64 = 64 << 10;

    @TempDir
    static Path dir;
    static VolumePool pool;
    static NvspServer server;
    static Client alice;
    static Client bob;
    static byte[] aliceKey = ClientKeys.newKey();
    static byte[] bobKey = ClientKeys.newKey();
    static Volume aliceVolume;
    static Volume bobVolume;

    @BeforeAll
    static void start() {
        pool = VolumePool.create(dir.resolve("pool"), PoolOptions.defaults().withFileBytes(PoolOptions.MIN_FILE_BYTES)
                .withMaxBytes(256L << 20));
        alice = client("alice", aliceKey, false);
        bob = client("bob", bobKey, false);
        aliceVolume = pool.createVolume("alice-disk", 16 << 20);
        bobVolume = pool.createVolume("bob-disk", 16 << 20);
        pool.clients().assign(aliceVolume, alice.id());
        pool.clients().assign(bobVolume, bob.id());
        server = NvspServer.builder(pool).port(0).workers(2).build().start();
    }

    @AfterAll
    static void stop() {
        server.close();
        pool.close();
    }

    static Client client(String name, byte[] key, boolean manager) {
        Client client = pool.clients().register(name, "", "", Map.of(), Map.of());
        return ClientKeys.grant(pool.clients(), client.id(), key, manager);
    }

    private static ServerMetrics.ClientMetrics metricsOf(NvspServer of, Client client) {
        return of.metrics().clients().stream().filter(c -> c.clientId() == client.id()).findFirst().orElseThrow();
    }

    /** The client's metrics once {@code requests} are counted: a worker counts after it sent the response. */
    private static ServerMetrics.ClientMetrics counted(Client client, long requests) {
        return counted(server, client, requests);
    }

    /** The client's metrics on {@code of} once {@code requests} are counted. */
    private static ServerMetrics.ClientMetrics counted(NvspServer of, Client client, long requests) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        ServerMetrics.ClientMetrics metrics = metricsOf(of, client);
        while (metrics.requests() < requests && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            metrics = metricsOf(of, client);
        }
        return metrics;
    }

    private static byte[] random(int length, long seed) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static byte[] volumeBytes(Volume volume, long offset, int length) {
        byte[] bytes = new byte[length];
        volume.read(offset, MemorySegment.ofArray(bytes));
        return bytes;
    }

    private static byte[] data(byte[] readResponse) {
        ReadResponse response = new ReadResponse().wrap(MemorySegment.ofArray(readResponse), 0, readResponse.length);
        response.data().verify();
        byte[] data = new byte[(int) response.data().length()];
        response.data().copyTo(MemorySegment.ofArray(data), 0);
        return data;
    }

    private static void assertAnswer(MessageType type, Status expected, byte[] response) {
        assertNotNull(response, "no answer");
        assertEquals(type, type(response));
        assertEquals(expected, status(response));
    }

    // ------------------------------------------------------------------ handshake

    @Test
    void theseTestsRunOnBatchedDatagramIoAndPlainPeersStillGetSingleDatagrams() {
        // the surefire argLine grants io.coems.nvsp.transport native access; RawPeer is a plain socket
        assertTrue(server.batchedIo(), "the server batches datagrams");
    }

    @Test
    void theRightKeyOpensASessionThatAnswersKeepAlives() {
        long before = server.metrics().handshakes();
        try (RawPeer peer = RawPeer.connected(server.address(), alice.id(), aliceKey)) {
            assertTrue(peer.sessionId() != 0);
            assertEquals(NvspServer.DEFAULT_CREDITS, peer.credits());
            assertAnswer(MessageType.KEEPALIVE_RESPONSE, Status.OK, peer.call(empty(MessageType.KEEPALIVE)));
        }
        assertEquals(before + 1, server.metrics().handshakes());
    }

    @Test
    void aRepeatedAuthenticateGetsTheSameAccept() {
        try (RawPeer peer = new RawPeer(server.address(), alice.id(), 1408)) {
            byte[] nonce = new byte[Hello.NONCE_LENGTH];
            nonce[0] = 42;
            byte[] message = peer.authenticate(aliceKey, SecurityMode.INTEGRITY_ONLY, nonce, peer.cookie(nonce),
                    UnaryOperator.identity());
            Accept first = peer.authenticate(aliceKey, SecurityMode.INTEGRITY_ONLY, nonce, message).orElseThrow();
            long session = first.sessionId();
            Accept again = peer.authenticate(aliceKey, SecurityMode.INTEGRITY_ONLY, nonce, message).orElseThrow();
            assertEquals(session, again.sessionId());
            assertEquals(SecurityMode.INTEGRITY_ONLY, again.securityMode());
            assertAnswer(MessageType.KEEPALIVE_RESPONSE, Status.OK, peer.call(empty(MessageType.KEEPALIVE)));
        }
    }

    @Test
    void aWrongKeyAWrongCookieAndAnUnknownClientAreDroppedAndCounted() {
        long failures = server.metrics().handshakeFailures();
        try (RawPeer peer = new RawPeer(server.address(), alice.id(), 1408)) {
            peer.timeout(300);
            assertTrue(peer.handshake(bobKey, SecurityMode.ENCRYPTED).isEmpty(), "accepted with bob's key");
            byte[] nonce = new byte[Hello.NONCE_LENGTH];
            byte[] cookie = peer.cookie(nonce);
            cookie[0] ^= 1;
            byte[] spoiled = peer.authenticate(aliceKey, SecurityMode.ENCRYPTED, nonce, cookie, UnaryOperator.identity());
            assertTrue(peer.authenticate(aliceKey, SecurityMode.ENCRYPTED, nonce, spoiled).isEmpty(), "accepted a bad cookie");
        }
        try (RawPeer stranger = new RawPeer(server.address(), 987_654_321L, 1408)) {
            stranger.timeout(300);
            assertTrue(stranger.handshake(aliceKey, SecurityMode.ENCRYPTED).isEmpty(), "accepted an unknown client");
        }
        assertEquals(failures + 3, server.metrics().handshakeFailures());
    }

    @Test
    void aClientsOldestSessionAndTheServersQuietestCloseWhenTheLimitsAreReached() {
        try (NvspServer limited = NvspServer.builder(pool).port(0).maxSessionsPerClient(2).maxSessions(3).build().start();
                RawPeer first = RawPeer.connected(limited.address(), alice.id(), aliceKey);
                RawPeer second = RawPeer.connected(limited.address(), alice.id(), aliceKey);
                RawPeer third = RawPeer.connected(limited.address(), alice.id(), aliceKey)) {
            assertAnswer(MessageType.ERROR, Status.UNKNOWN_SESSION, first.call(empty(MessageType.KEEPALIVE)));
            assertAnswer(MessageType.KEEPALIVE_RESPONSE, Status.OK, second.call(empty(MessageType.KEEPALIVE)));
            try (RawPeer bobs = RawPeer.connected(limited.address(), bob.id(), bobKey)) {
                assertAnswer(MessageType.KEEPALIVE_RESPONSE, Status.OK, third.call(empty(MessageType.KEEPALIVE)));
                try (RawPeer another = RawPeer.connected(limited.address(), bob.id(), bobKey)) {
                    assertAnswer(MessageType.ERROR, Status.UNKNOWN_SESSION, second.call(empty(MessageType.KEEPALIVE)));
                    assertAnswer(MessageType.KEEPALIVE_RESPONSE, Status.OK, third.call(empty(MessageType.KEEPALIVE)));
                    assertAnswer(MessageType.KEEPALIVE_RESPONSE, Status.OK, bobs.call(empty(MessageType.KEEPALIVE)));
                    assertAnswer(MessageType.KEEPALIVE_RESPONSE, Status.OK, another.call(empty(MessageType.KEEPALIVE)));
                }
            }
            assertEquals(3, limited.metrics().sessions());
        }
    }

    @Test
    void aDatagramOfAnUnknownSessionGetsUnknownSession() {
        long before = server.metrics().unknownSessionAnswers();
        try (RawPeer peer = new RawPeer(server.address(), alice.id(), 1408)) {
            peer.sendPlain(empty(MessageType.KEEPALIVE), 0x1234_5678L);
            RawPeer.Datagram answer = peer.receive();
            assertNotNull(answer);
            assertFalse(answer.sealed());
            assertEquals(0x1234_5678L, answer.sessionId());
            assertAnswer(MessageType.ERROR, Status.UNKNOWN_SESSION, answer.payload());
        }
        assertEquals(before + 1, server.metrics().unknownSessionAnswers());
    }

    // ------------------------------------------------------------------ data path

    @Test
    void writesAndReadsRoundTripFragmentedAndWhole() {
        byte[] large = random(KIB64, 1);
        byte[] small = random(512, 2);
        ServerMetrics.ClientMetrics before = metricsOf(server, alice);
        try (RawPeer peer = RawPeer.connected(server.address(), alice.id(), aliceKey)) {
            assertAnswer(MessageType.WRITE_RESPONSE, Status.OK, peer.call(write(aliceVolume.id(), 2 * KIB64, large, 0)));
            assertAnswer(MessageType.WRITE_RESPONSE, Status.OK,
                    peer.call(write(aliceVolume.id(), 5000, small, RangeRequest.FLAG_FUA)));
            byte[] readLarge = peer.call(read(aliceVolume.id(), 2 * KIB64, KIB64));
            assertAnswer(MessageType.READ_RESPONSE, Status.OK, readLarge);
            assertArrayEquals(large, data(readLarge));
            byte[] readSmall = peer.call(read(aliceVolume.id(), 5000, 512));
            assertArrayEquals(small, data(readSmall));
        }
        assertArrayEquals(large, volumeBytes(aliceVolume, 2 * KIB64, KIB64));
        ServerMetrics.ClientMetrics after = counted(alice, before.requests() + 4);
        assertEquals(before.bytesWritten() + KIB64 + 512, after.bytesWritten());
        assertEquals(before.bytesRead() + KIB64 + 512, after.bytesRead());
        assertEquals(before.requests() + 4, after.requests());
        assertTrue(after.latency().max().toNanos() > 0);
    }

    @Test
    void aDuplicateWriteIsAnsweredFromTheCacheAndAppliedOnce() {
        long offset = 10L << 20;
        try (RawPeer peer = RawPeer.connected(server.address(), alice.id(), aliceKey)) {
            byte[] first = write(aliceVolume.id(), offset, random(4096, 3), 0);
            long requestId = peer.nextRequestId();
            peer.send(requestId, first);
            assertAnswer(MessageType.WRITE_RESPONSE, Status.OK, peer.response(requestId));
            byte[] later = random(4096, 4);
            aliceVolume.write(offset, later);
            long retransmissions = metricsOf(server, alice).retransmissions();
            peer.send(requestId, first);
            assertAnswer(MessageType.WRITE_RESPONSE, Status.OK, peer.response(requestId));
            assertArrayEquals(later, volumeBytes(aliceVolume, offset, 4096), "the late copy was applied again");
            assertEquals(retransmissions + 1, metricsOf(server, alice).retransmissions());
        }
    }

    @Test
    void aRequestIdOlderThanTheCacheIsStaleAndNotExecuted() {
        long offset = 11L << 20;
        try (RawPeer peer = RawPeer.connected(server.address(), alice.id(), aliceKey)) {
            peer.send(1000, read(aliceVolume.id(), 0, 512));
            assertAnswer(MessageType.READ_RESPONSE, Status.OK, peer.response(1000));
            long stale = metricsOf(server, alice).drops().stale();
            peer.send(5, write(aliceVolume.id(), offset, random(512, 5), 0));
            assertAnswer(MessageType.ERROR, Status.STALE_REQUEST, peer.response(5));
            assertArrayEquals(new byte[512], volumeBytes(aliceVolume, offset, 512));
            assertEquals(stale + 1, metricsOf(server, alice).drops().stale());
        }
    }

    @Test
    void requestsBeyondTheCreditsGetNoCredit() {
        try (NvspServer narrow = NvspServer.builder(pool).port(0).credits(1).clientLimit(bob.id(), 1, 0).build().start();
                RawPeer peer = RawPeer.connected(narrow.address(), bob.id(), bobKey)) {
            assertEquals(1, peer.credits());
            for (long id = 1; id <= 5; id++) {
                peer.send(id, read(bobVolume.id(), 0, 512));
            }
            Map<Long, Status> answers = new HashMap<>();
            while (answers.size() < 5) {
                RawPeer.Datagram answer = peer.receive();
                assertNotNull(answer, "answered only " + answers);
                answers.put(answer.requestId(), status(answer.payload()));
            }
            long refused = answers.values().stream().filter(s -> s == Status.NO_CREDIT).count();
            assertTrue(refused >= 2, answers.toString());
            assertEquals(5 - refused, answers.values().stream().filter(s -> s == Status.OK).count(), answers.toString());
            assertEquals(refused, metricsOf(narrow, bob).drops().noCredit());
        }
    }

    @Test
    void aClientThatWaitsForEachResponseNeverGetsNoCredit() {
        try (NvspServer narrow = NvspServer.builder(pool).port(0).credits(1).build().start();
                RawPeer peer = RawPeer.connected(narrow.address(), bob.id(), bobKey)) {
            for (int i = 0; i < 500; i++) {
                assertAnswer(MessageType.READ_RESPONSE, Status.OK, peer.call(read(bobVolume.id(), 0, 512)));
            }
            assertEquals(0, metricsOf(narrow, bob).drops().noCredit());
        }
    }

    @Test
    void aCopyOfAnAnsweredFragmentedReadIsAnsweredFromTheKeptResponse() {
        bobVolume.write(1 << 20, random(KIB64, 41));
        try (NvspServer narrow = NvspServer.builder(pool).port(0).credits(1).build().start();
                RawPeer peer = RawPeer.connected(narrow.address(), bob.id(), bobKey)) {
            long requestId = peer.nextRequestId();
            peer.send(requestId, read(bobVolume.id(), 1 << 20, KIB64));
            byte[] first = peer.response(requestId);
            assertArrayEquals(random(KIB64, 41), data(first));
            ServerMetrics.ClientMetrics before = counted(narrow, bob, 1);
            assertEquals(1, before.requests());
            peer.send(requestId, read(bobVolume.id(), 1 << 20, KIB64));
            assertArrayEquals(first, peer.response(requestId));
            ServerMetrics.ClientMetrics after = metricsOf(narrow, bob);
            assertEquals(before.requests(), after.requests(), "the copy was executed again");
            assertEquals(before.retransmissions() + Math.ceilDiv(first.length, peer.maxPayload()), after.retransmissions());
        }
    }

    @Test
    void aReadRefusedAsTooLongDoesNotUseUpTheBandwidthCap() {
        try (NvspServer capped = NvspServer.builder(pool).port(0).clientLimit(bob.id(), 0, 1 << 20).build().start();
                RawPeer peer = RawPeer.connected(capped.address(), bob.id(), bobKey)) {
            assertAnswer(MessageType.READ_RESPONSE, Status.EINVAL, peer.call(read(bobVolume.id(), 0, 0xFFFF_FFFFL)));
            assertAnswer(MessageType.READ_RESPONSE, Status.OK, peer.call(read(bobVolume.id(), 0, 512)));
        }
    }

    @Test
    void aVolumeNotAssignedToTheClientIsRefusedAndUnchanged() {
        long refused = metricsOf(server, alice).drops().refused();
        try (RawPeer peer = RawPeer.connected(server.address(), alice.id(), aliceKey)) {
            assertAnswer(MessageType.WRITE_RESPONSE, Status.EPERM, peer.call(write(bobVolume.id(), 0, random(512, 6), 0)));
            assertAnswer(MessageType.READ_RESPONSE, Status.EPERM, peer.call(read(bobVolume.id(), 0, 512)));
            assertAnswer(MessageType.READ_RESPONSE, Status.EPERM, peer.call(read(987_654L, 0, 512)));
            assertAnswer(MessageType.TRIM_RESPONSE, Status.EPERM,
                    peer.call(block(MessageType.TRIM, bobVolume.id(), 0, KIB64, 0)));
        }
        assertArrayEquals(new byte[512], volumeBytes(bobVolume, 0, 512));
        assertEquals(refused + 4, metricsOf(server, alice).drops().refused());
    }

    @Test
    void blockStatusTrimAndWriteZeroesFollowTheVolume() {
        Volume volume = pool.createVolume("status-disk", 1 << 20);
        pool.clients().assign(volume, alice.id());
        volume.write(0, random(KIB64, 7));
        volume.write(4L * KIB64, random(KIB64, 8));
        try (RawPeer peer = RawPeer.connected(server.address(), alice.id(), aliceKey)) {
            assertEquals("[0+65536 state=0] [65536+196608 state=3] [262144+65536 state=0] [327680+196608 state=3]",
                    extents(peer.call(block(MessageType.BLOCK_STATUS, volume.id(), 0, 8 * KIB64, 0))));
            assertAnswer(MessageType.TRIM_RESPONSE, Status.OK, peer.call(block(MessageType.TRIM, volume.id(), 0, KIB64, 0)));
            assertAnswer(MessageType.WRITE_ZEROES_RESPONSE, Status.OK, peer.call(block(MessageType.WRITE_ZEROES,
                    volume.id(), 2L * KIB64, KIB64, RangeRequest.FLAG_NO_HOLE)));
            assertAnswer(MessageType.WRITE_ZEROES_RESPONSE, Status.OK,
                    peer.call(block(MessageType.WRITE_ZEROES, volume.id(), 4L * KIB64, KIB64, RangeRequest.FLAG_FUA)));
            assertAnswer(MessageType.FLUSH_RESPONSE, Status.OK, peer.call(block(MessageType.FLUSH, volume.id(), 0, 0, 0)));
            assertEquals("[0+131072 state=3] [131072+65536 state=0] [196608+327680 state=3]",
                    extents(peer.call(block(MessageType.BLOCK_STATUS, volume.id(), 0, 8 * KIB64, 0))));
            assertArrayEquals(new byte[3 * KIB64], volumeBytes(volume, 0, 3 * KIB64));
        }
    }

    private static String extents(byte[] message) {
        assertAnswer(MessageType.BLOCK_STATUS_RESPONSE, Status.OK, message);
        String described = new BlockStatusResponse().wrap(MemorySegment.ofArray(message), 0, message.length).toString();
        return described.substring(described.indexOf('['));
    }

    // ------------------------------------------------------------------ fragments

    @Test
    void missingFragmentsOfARequestAreNackedAndTheRequestCompletes() {
        byte[] data = random(KIB64, 9);
        byte[] message = write(aliceVolume.id(), 3L * KIB64, data, 0);
        try (RawPeer peer = RawPeer.connected(server.address(), alice.id(), aliceKey)) {
            long requestId = peer.nextRequestId();
            peer.sendFragments(requestId, message, i -> i != 3 && i != 17);
            RawPeer.Datagram nack = peer.receive();
            assertNotNull(nack, "no NACK");
            assertEquals(requestId, nack.requestId());
            assertEquals(MessageType.NACK, type(nack.payload()));
            Nack missing = new Nack().wrap(MemorySegment.ofArray(nack.payload()), 0, nack.payload().length);
            assertEquals((message.length + peer.maxPayload() - 1) / peer.maxPayload(), missing.fragmentCount());
            for (int i = 0; i < missing.fragmentCount(); i++) {
                assertEquals(i == 3 || i == 17, missing.isMissing(i), "fragment " + i);
            }
            peer.sendFragments(requestId, message, i -> i == 3 || i == 17);
            assertAnswer(MessageType.WRITE_RESPONSE, Status.OK, peer.response(requestId));
        }
        assertArrayEquals(data, volumeBytes(aliceVolume, 3L * KIB64, KIB64));
    }

    @Test
    void forgedFragmentsNeitherDamageAWriteNorKeepASlot() {
        byte[] data = random(KIB64, 12);
        byte[] message = write(aliceVolume.id(), 6L * KIB64, data, 0);
        int quota = server.reassemblySlots() / 4;
        ServerMetrics.ClientMetrics before;
        try (RawPeer peer = RawPeer.connected(server.address(), alice.id(), aliceKey)) {
            before = metricsOf(server, alice);
            for (int m = 0; m <= quota; m++) {
                peer.sendForgedFragment(peer.nextRequestId(), message, 0); // each would take one of alice's slots
            }
            long requestId = peer.nextRequestId();
            peer.sendFragments(requestId, message, i -> i < 10);
            for (int i : new int[] {2, 5, 9, 10, 11}) {
                peer.sendForgedFragment(requestId, message, i); // over fragments received, and missing ones
            }
            peer.sendFragments(requestId, message, i -> i >= 10);
            assertAnswer(MessageType.WRITE_RESPONSE, Status.OK, peer.response(requestId));
        }
        assertArrayEquals(data, volumeBytes(aliceVolume, 6L * KIB64, KIB64));
        ServerMetrics.ClientMetrics after = metricsOf(server, alice);
        assertEquals(before.drops().forged() + quota + 1 + 5, after.drops().forged());
        assertEquals(before.drops().noSlot(), after.drops().noSlot());
    }

    @Test
    void aClientsSessionsShareOneQuotaOfReassemblySlots() throws InterruptedException {
        int quota = server.reassemblySlots() / 4;
        int perSession = quota - 1; // below a quarter each: a quota per session would refuse none
        byte[] message = write(aliceVolume.id(), 0, random(KIB64, 11), 0);
        List<RawPeer> peers = new ArrayList<>();
        try {
            for (int s = 0; s < 4; s++) {
                peers.add(RawPeer.connected(server.address(), alice.id(), aliceKey));
            }
            long before = metricsOf(server, alice).drops().noSlot();
            for (RawPeer peer : peers) {
                for (int m = 0; m < perSession; m++) {
                    peer.sendFragments(peer.nextRequestId(), message, i -> i == 0); // never completed
                }
            }
            long expected = before + 4L * perSession - quota;
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (metricsOf(server, alice).drops().noSlot() < expected && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(100);
            assertEquals(expected, metricsOf(server, alice).drops().noSlot(),
                    "alice's 4 sessions hold " + quota + " slots together; her other first fragments found none");
        } finally {
            peers.forEach(RawPeer::close);
        }
    }

    @Test
    void aClientNackGetsExactlyTheMissingResponseFragmentsAgain() {
        aliceVolume.write(4L * KIB64, random(KIB64, 10));
        try (RawPeer peer = RawPeer.connected(server.address(), alice.id(), aliceKey)) {
            long requestId = peer.nextRequestId();
            peer.send(requestId, read(aliceVolume.id(), 4L * KIB64, KIB64));
            Map<Integer, byte[]> fragments = new HashMap<>();
            int count = 0;
            while (count == 0 || fragments.size() < count) {
                RawPeer.Datagram datagram = peer.receive();
                assertNotNull(datagram, "response fragments missing: got " + fragments.keySet());
                fragments.put(datagram.fragmentIndex(), datagram.payload());
                count = datagram.fragmentCount();
            }
            long retransmissions = metricsOf(server, alice).retransmissions();
            peer.send(requestId, RawPeer.nack(count, 2, 5));
            for (int i = 0; i < 2; i++) {
                RawPeer.Datagram again = peer.receive();
                assertNotNull(again, "a fragment was not resent");
                assertTrue(again.fragmentIndex() == 2 + 3 * i, "resent fragment " + again.fragmentIndex());
                assertArrayEquals(fragments.get(again.fragmentIndex()), again.payload());
            }
            peer.timeout(200);
            assertNull(peer.receive(), "more than the missing fragments were resent");
            assertEquals(retransmissions + 2, metricsOf(server, alice).retransmissions());
        }
    }

    @Test
    void inIntegrityOnlyModeAFragmentedReadAndItsResentFragmentsOpenToTheData() {
        byte[] data = random(KIB64, 12);
        aliceVolume.write(6L * KIB64, data);
        try (RawPeer peer = new RawPeer(server.address(), alice.id(), 1408)) {
            assertTrue(peer.handshake(aliceKey, SecurityMode.INTEGRITY_ONLY).isPresent());
            long requestId = peer.nextRequestId();
            peer.send(requestId, read(aliceVolume.id(), 6L * KIB64, KIB64));
            byte[] response = peer.response(requestId);
            assertNotNull(response, "no response");
            assertArrayEquals(data, data(response));
            int count = Math.ceilDiv(response.length, peer.maxPayload());
            peer.send(requestId, RawPeer.nack(count, 0, count - 1));
            for (int index : new int[] {0, count - 1}) {
                RawPeer.Datagram again = peer.receive();
                assertNotNull(again, "fragment " + index + " was not resent");
                assertTrue(again.sealed());
                assertEquals(index, again.fragmentIndex());
                int at = index * peer.maxPayload();
                assertArrayEquals(Arrays.copyOfRange(response, at, Math.min(response.length, at + peer.maxPayload())),
                        again.payload());
            }
        }
    }

    @Test
    void aResponseIsResentAtMostTwiceOver() {
        aliceVolume.write(5L * KIB64, random(KIB64, 43));
        try (RawPeer peer = RawPeer.connected(server.address(), alice.id(), aliceKey)) {
            long requestId = peer.nextRequestId();
            peer.send(requestId, read(aliceVolume.id(), 5L * KIB64, KIB64));
            byte[] response = peer.response(requestId);
            int count = Math.ceilDiv(response.length, peer.maxPayload());
            int[] all = java.util.stream.IntStream.range(0, count).toArray();
            peer.timeout(300);
            for (int round = 0; round < 3; round++) {
                peer.send(requestId, RawPeer.nack(count, all));
                int resent = 0;
                while (peer.receive() != null) {
                    resent++;
                }
                assertEquals(round < BufferPool.RESENDS ? count : 0, resent, "fragments resent in round " + round);
            }
        }
    }

    @Test
    void aSessionAnswersOnlyTheAddressItAuthenticatedFrom() {
        try (RawPeer peer = RawPeer.connected(server.address(), alice.id(), aliceKey)) {
            peer.moveToNewPort();
            peer.send(peer.nextRequestId(), empty(MessageType.KEEPALIVE));
            RawPeer.Datagram answer = peer.receive();
            assertNotNull(answer);
            assertFalse(answer.sealed());
            assertAnswer(MessageType.ERROR, Status.UNKNOWN_SESSION, answer.payload());
        }
    }

    // ------------------------------------------------------------------ bad input

    @Test
    void badInputIsAnsweredOrDroppedAndNeverStopsTheServer() {
        long offset = 12L << 20;
        try (RawPeer peer = RawPeer.connected(server.address(), alice.id(), aliceKey)) {
            assertAnswer(MessageType.ERROR, Status.EINVAL, peer.call(new byte[] {0x01, 0x01, (byte) 0xFF, (byte) 0xFF}));
            assertAnswer(MessageType.ERROR, Status.ENOTSUP, peer.call(new byte[] {0x77, 0x07, 0, 0}));
            assertAnswer(MessageType.ERROR, Status.EINVAL, peer.call(empty(MessageType.KEEPALIVE_RESPONSE)));
            assertAnswer(MessageType.READ_RESPONSE, Status.EINVAL, peer.call(read(aliceVolume.id(), 0, 1 << 20)));
            assertAnswer(MessageType.READ_RESPONSE, Status.EOVERFLOW, peer.call(read(aliceVolume.id(), (16 << 20) - 256, 512)));
            assertAnswer(MessageType.READ_RESPONSE, Status.EOVERFLOW, peer.call(read(aliceVolume.id(), -512, 512)));
            assertAnswer(MessageType.WRITE_RESPONSE, Status.EINVAL,
                    peer.call(write(aliceVolume.id(), offset, random(512, 11), 0x80)));
            byte[] corrupt = write(aliceVolume.id(), offset, random(512, 12), 0);
            corrupt[corrupt.length - 1] ^= 1;
            assertAnswer(MessageType.WRITE_RESPONSE, Status.EIO, peer.call(corrupt));
            assertArrayEquals(new byte[512], volumeBytes(aliceVolume, offset, 512));
            long requestId = peer.nextRequestId();
            peer.sendFragment(requestId, 0, 3, 0, new byte[100]);
            peer.sendFragment(requestId, 1, 3, 7, new byte[100]);
            assertAnswer(MessageType.ERROR, Status.EINVAL, peer.response(requestId));
            peer.sendRaw(new byte[] {1, 0, 10, 0});
            peer.sendRaw(random(300, 13));
            byte[] forged = new byte[80];
            forged[0] = 1;
            forged[1] = 3;
            forged[2] = 80;
            forged[6] = 1;
            System.arraycopy(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .putLong(peer.sessionId()).array(), 0, forged, 8, 8);
            forged[16] = 99;
            peer.sendRaw(forged);
            assertAnswer(MessageType.KEEPALIVE_RESPONSE, Status.OK, peer.call(empty(MessageType.KEEPALIVE)));
            assertTrue(metricsOf(server, alice).drops().forged() >= 1);
            assertTrue(metricsOf(server, alice).drops().malformed() >= 3);
        }
    }

    // ------------------------------------------------------------------ expiry and close

    @Test
    void aSingleDatagramLongerThanTheLargestMessageIsInvalid() {
        try (NvspServer small = NvspServer.builder(pool).port(0).maxIoBytes(4096).build().start();
                RawPeer peer = new RawPeer(small.address(), alice.id(), 16 << 10)) {
            assertTrue(peer.handshake(aliceKey, SecurityMode.ENCRYPTED).isPresent());
            assertAnswer(MessageType.ERROR, Status.EINVAL, peer.call(write(aliceVolume.id(), 0, random(8192, 44), 0)));
            assertArrayEquals(new byte[512], volumeBytes(aliceVolume, 0, 512));
        }
    }

    @Test
    void aBufferBudgetTooSmallForTheWorkersIsRefused() {
        NvspServer.Builder builder = NvspServer.builder(pool).workers(8).bufferBudget(1 << 20);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);
        assertEquals("buffer budget 1048576 bytes is too small for 8 workers with messages of up to 131072 bytes: "
                + "at least 4196352 bytes", e.getMessage());
        builder.bufferBudget(4_196_352).build();
        NvspServer.builder(pool).workers(256).build(); // the default budget grows with the workers
    }

    @Test
    void aServerThatCannotBindThrowsAndClosesCleanly() throws java.net.SocketException {
        try (java.net.DatagramSocket taken = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            NvspServer unbound = NvspServer.builder(pool).port(taken.getLocalPort()).build();
            assertThrows(java.io.UncheckedIOException.class, unbound::start);
            unbound.close();
        }
    }


    @Test
    void aSilentSessionExpires() throws InterruptedException {
        try (NvspServer quick = NvspServer.builder(pool).port(0).keepAlive(java.time.Duration.ofMillis(100)).build().start();
                RawPeer peer = RawPeer.connected(quick.address(), alice.id(), aliceKey)) {
            assertEquals(1, quick.metrics().sessions());
            long deadline = System.nanoTime() + 5_000_000_000L; // expiry after 300 ms; slack for a loaded machine
            while (quick.metrics().sessions() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(0, quick.metrics().sessions());
            peer.send(peer.nextRequestId(), empty(MessageType.KEEPALIVE));
            RawPeer.Datagram answer = peer.receive();
            assertNotNull(answer);
            assertAnswer(MessageType.ERROR, Status.UNKNOWN_SESSION, answer.payload());
        }
    }

    @Test
    void closeDropsTheQueuedRequestsAndIsAnsweredAfterTheRunningOne() throws InterruptedException {
        Volume volume = pool.createVolume("close-disk", 16 << 20);
        pool.clients().assign(volume, alice.id());
        byte[] data = random(512, 40);
        try (NvspServer closing = NvspServer.builder(pool).port(0).workers(1).build().start();
                RawPeer peer = RawPeer.connected(closing.address(), alice.id(), aliceKey)) {
            peer.send(peer.nextRequestId(), block(MessageType.WRITE_ZEROES, volume.id(), 0, 16 << 20,
                    RangeRequest.FLAG_NO_HOLE));
            Thread.sleep(20); // the zeros are being written: the request runs
            peer.send(peer.nextRequestId(), write(volume.id(), 0, data, 0)); // queued behind it
            long close = peer.nextRequestId();
            peer.send(close, empty(MessageType.CLOSE));
            List<String> answers = new ArrayList<>();
            for (RawPeer.Datagram datagram = peer.receive(); datagram != null; datagram = peer.receive()) {
                answers.add(type(datagram.payload()) + (datagram.requestId() == close ? "(close)" : ""));
            }
            assertEquals("CLOSE_RESPONSE(close)", answers.getLast(), "the last answer: " + answers);
            boolean written = answers.contains("WRITE_RESPONSE");
            assertArrayEquals(written ? data : new byte[512], volumeBytes(volume, 0, 512), answers.toString());
            assertEquals(0, closing.metrics().sessions());
        }
    }

    @Test
    void whileDrainingACopyOfAnAnsweredWriteGetsItsAnswerAndOnlyNewIdsGetShutdown() throws InterruptedException {
        NvspServer closing = NvspServer.builder(pool).port(0).clientLimit(alice.id(), 2, 0).build().start();
        long offset = 14L << 20;
        try (RawPeer peer = RawPeer.connected(closing.address(), alice.id(), aliceKey)) {
            long first = peer.nextRequestId();
            byte[] firstWrite = write(aliceVolume.id(), offset, random(512, 30), 0); // one datagram
            peer.send(first, firstWrite);
            // At 2 requests a second the queued ones keep the drain going for seconds, whatever the
            // bucket's burst and the machine's load, so the copy below arrives while it drains.
            for (int i = 1; i < 10; i++) {
                peer.send(peer.nextRequestId(), write(aliceVolume.id(), offset + i * 4096L, random(512, 30 + i), 0));
            }
            assertAnswer(MessageType.WRITE_RESPONSE, Status.OK, peer.response(first));
            Thread closer = Thread.ofPlatform().start(closing::close);
            Thread.sleep(100);
            peer.send(first, firstWrite);
            assertAnswer(MessageType.WRITE_RESPONSE, Status.OK, peer.response(first));
            long fresh = peer.nextRequestId();
            peer.send(fresh, read(aliceVolume.id(), offset, 512));
            assertAnswer(MessageType.ERROR, Status.ESHUTDOWN, peer.response(fresh));
            closer.join();
        }
    }

    @Test
    void closeFinishesTheRequestsInFlightThenSendsCloseWithShutdown() throws InterruptedException {
        NvspServer closing = NvspServer.builder(pool).port(0).clientLimit(alice.id(), 4, 0).build().start();
        long offset = 13L << 20;
        try (RawPeer peer = RawPeer.connected(closing.address(), alice.id(), aliceKey)) {
            for (int i = 0; i < 4; i++) {
                peer.send(peer.nextRequestId(), write(aliceVolume.id(), offset + i * 4096L, random(4096, 20 + i), 0));
            }
            Thread.sleep(100);
            closing.close();
            int written = 0;
            RawPeer.Datagram datagram = peer.receive();
            while (datagram != null && type(datagram.payload()) == MessageType.WRITE_RESPONSE) {
                assertEquals(Status.OK, status(datagram.payload()));
                written++;
                datagram = peer.receive();
            }
            assertEquals(4, written, "write responses before the close");
            assertNotNull(datagram, "no CLOSE");
            assertAnswer(MessageType.CLOSE, Status.ESHUTDOWN, datagram.payload());
        }
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(random(4096, 20 + i), volumeBytes(aliceVolume, offset + i * 4096L, 4096));
        }
        assertEquals(0, closing.metrics().sessions());
    }
}

package io.coems.nvsp.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.coems.nvsp.ReplayException;
import io.coems.nvsp.SecurityMode;
import io.coems.nvsp.Vectors;
import io.coems.nvsp.frame.FrameHeader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * One sending sequence and one replay window per session and direction, however many threads
 * take sealers and openers from the session's {@link SessionKeys}: no AES-GCM nonce is used
 * twice and no datagram is accepted twice.
 */
class SharedDirectionStateTest {
    private static final int THREADS = 4;
    private static final int PER_THREAD = 500;

    private static SessionKeys keys() {
        return SessionKeys.derive(Vectors.PSK, Vectors.bytes(1, 16), Vectors.bytes(2, 16), 77);
    }

    private static byte[] seal(Sealer sealer, byte[] payload) {
        MemorySegment buffer = MemorySegment.ofArray(new byte[FrameHeader.LENGTH + payload.length + FrameHeader.TAG_LENGTH]);
        FrameHeader frame = new FrameHeader().encode(buffer, 0, (int) buffer.byteSize()).sessionId(9).requestId(4)
                .payloadLength(payload.length);
        MemorySegment.copy(MemorySegment.ofArray(payload), 0, buffer, FrameHeader.LENGTH, payload.length);
        sealer.seal(frame);
        return buffer.toArray(ValueLayout.JAVA_BYTE);
    }

    private static void open(Opener opener, byte[] sealed) {
        opener.open(new FrameHeader().wrap(MemorySegment.ofArray(sealed.clone()), 0, sealed.length));
    }

    private static long sequence(byte[] datagram) {
        return new FrameHeader().wrap(MemorySegment.ofArray(datagram), 0, datagram.length).sequence();
    }

    @Test
    void twoSealersOfOneDirectionNeverShareANonce() {
        SessionKeys keys = keys();
        Sealer threadA = keys.sealer(Direction.SERVER_TO_CLIENT, SecurityMode.ENCRYPTED);
        Sealer threadB = keys.sealer(Direction.SERVER_TO_CLIENT, SecurityMode.ENCRYPTED);
        byte[] p1 = "READ_RESPONSE with secret data A".getBytes();
        byte[] p2 = "READ_RESPONSE with secret data B".getBytes();
        byte[] c1 = seal(threadA, p1);
        byte[] c2 = seal(threadB, p2);
        byte[] keystreamXor = new byte[p1.length];
        byte[] plainXor = new byte[p1.length];
        for (int i = 0; i < p1.length; i++) {
            keystreamXor[i] = (byte) (c1[FrameHeader.LENGTH + i] ^ c2[FrameHeader.LENGTH + i]);
            plainXor[i] = (byte) (p1[i] ^ p2[i]);
        }
        assertFalse(Arrays.equals(keystreamXor, plainXor), "c1 XOR c2 == p1 XOR p2: AES-GCM nonce reused");
        assertEquals(1, sequence(c1));
        assertEquals(2, sequence(c2));
    }

    @Test
    void sealersOfOneDirectionDrawFromOneSequenceAndDirectionsAreIndependent() {
        SessionKeys keys = keys();
        Sealer first = keys.sealer(Direction.CLIENT_TO_SERVER, SecurityMode.ENCRYPTED);
        Sealer second = keys.sealer(Direction.CLIENT_TO_SERVER, SecurityMode.ENCRYPTED);
        seal(first, new byte[8]);
        assertEquals(2, second.nextSequence());
        seal(second, new byte[8]);
        assertEquals(3, first.nextSequence());
        assertEquals(1, keys.sealer(Direction.SERVER_TO_CLIENT, SecurityMode.ENCRYPTED).nextSequence());
        assertEquals(1, keys().sealer(Direction.CLIENT_TO_SERVER, SecurityMode.ENCRYPTED).nextSequence(),
                "a new session starts at 1 under new keys");
    }

    @Test
    void aDatagramIsAcceptedOnceEvenWithOneOpenerPerReceivingThread() {
        SessionKeys keys = keys();
        byte[] sealed = seal(keys.sealer(Direction.CLIENT_TO_SERVER, SecurityMode.ENCRYPTED), new byte[20]);
        Opener threadA = keys.opener(Direction.CLIENT_TO_SERVER, SecurityMode.ENCRYPTED);
        Opener threadB = keys.opener(Direction.CLIENT_TO_SERVER, SecurityMode.ENCRYPTED);
        open(threadA, sealed);
        assertThrows(ReplayException.class, () -> open(threadB, sealed),
                "the same datagram replayed to another receiving thread's opener is accepted again");
        assertEquals(1, threadB.replays());
    }

    @Test
    void concurrentSealersNeverRepeatASequence() throws Exception {
        SessionKeys keys = keys();
        List<byte[]> sealed = inParallel(() -> {
            Sealer sealer = keys.sealer(Direction.CLIENT_TO_SERVER, SecurityMode.INTEGRITY_ONLY);
            List<byte[]> mine = new ArrayList<>();
            for (int i = 0; i < PER_THREAD; i++) {
                mine.add(seal(sealer, new byte[4]));
            }
            return mine;
        });
        Set<Long> sequences = new HashSet<>();
        sealed.forEach(datagram -> sequences.add(sequence(datagram)));
        assertEquals(THREADS * PER_THREAD, sequences.size(), "a sequence (and so a nonce) was used twice");
    }

    @Test
    void concurrentOpenersAcceptEveryDatagramExactlyOnce() throws Exception {
        SessionKeys keys = keys();
        Sealer sealer = keys.sealer(Direction.SERVER_TO_CLIENT, SecurityMode.ENCRYPTED);
        List<byte[]> sealed = new ArrayList<>();
        for (int i = 0; i < PER_THREAD; i++) {
            sealed.add(seal(sealer, new byte[16]));
        }
        AtomicInteger accepted = new AtomicInteger();
        inParallel(() -> {
            Opener opener = keys.opener(Direction.SERVER_TO_CLIENT, SecurityMode.ENCRYPTED);
            for (byte[] datagram : sealed) {
                try {
                    open(opener, datagram);
                    accepted.incrementAndGet();
                } catch (ReplayException replay) {
                    // another thread took it
                }
            }
            return List.of();
        });
        assertEquals(PER_THREAD, accepted.get(), "every datagram is accepted by exactly one receiving thread");
    }

    private static List<byte[]> inParallel(Callable<List<byte[]>> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<List<byte[]>>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                futures.add(pool.submit(task));
            }
            List<byte[]> all = new ArrayList<>();
            for (Future<List<byte[]>> future : futures) {
                all.addAll(future.get());
            }
            return all;
        } finally {
            pool.shutdown();
        }
    }
}

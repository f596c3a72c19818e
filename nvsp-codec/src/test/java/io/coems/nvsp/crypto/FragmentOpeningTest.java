package io.coems.nvsp.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.coems.nvsp.AuthenticationException;
import io.coems.nvsp.ReplayException;
import io.coems.nvsp.SecurityMode;
import io.coems.nvsp.Vectors;
import io.coems.nvsp.frame.Fragmenter;
import io.coems.nvsp.frame.FrameHeader;
import io.coems.nvsp.frame.Reassembler;
import io.coems.nvsp.frame.Reassembler.Outcome;
import io.coems.nvsp.frame.Reassembler.Reservation;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * Fragments opened straight into their reassembly slot ({@link Opener#openInto} into
 * {@link Reassembler#reserve}d ranges), as a client receives a 64 KiB READ_RESPONSE in 8 KiB
 * fragments: the message they rebuild, and what forged and replayed datagrams may not do.
 */
class FragmentOpeningTest {
    private static final int MAX_DATAGRAM = 8248;
    private static final int MESSAGE_LENGTH = 66_000;
    private static final long SESSION = 5;
    private static final long SECOND = 1_000_000_000L;
    private static final TrafficKey KEY = Vectors.KEYS.key(Direction.SERVER_TO_CLIENT);

    private final Fragmenter fragmenter = new Fragmenter(MAX_DATAGRAM, true);
    private final FrameHeader frame = new FrameHeader();
    private Reassembler reassembler;
    private Sealer sealer;
    private Opener opener;

    /** Starts a session: keys in a mode, and a reassembler with no slot taken (tries share the instance). */
    private void session(SecurityMode mode) {
        reassembler = new Reassembler(4, 4, 66_560, 16, SECOND);
        sealer = new Sealer(KEY, mode, 1);
        opener = new Opener(KEY, mode, new ReplayWindow(1024));
    }

    private static byte[] message(long seed) {
        byte[] message = new byte[MESSAGE_LENGTH];
        new Random(seed).nextBytes(message);
        return message;
    }

    /** Fragment {@code index} of a message, sealed with the next sequence (a retransmission gets a new one). */
    private byte[] sealedFragment(byte[] message, long requestId, int index) {
        MemorySegment datagram = MemorySegment.ofArray(new byte[MAX_DATAGRAM]);
        frame.encode(datagram, 0, MAX_DATAGRAM).sessionId(SESSION).requestId(requestId);
        fragmenter.writeFragment(frame, MemorySegment.ofArray(message), 0, message.length, index);
        int length = sealer.seal(frame);
        return datagram.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE);
    }

    private List<byte[]> sealedFragments(byte[] message, long requestId) {
        List<byte[]> datagrams = new ArrayList<>();
        for (int i = 0; i < fragmenter.fragmentCount(message.length); i++) {
            datagrams.add(sealedFragment(message, requestId, i));
        }
        return datagrams;
    }

    /**
     * Receives a copy of a datagram as the client does: a new fragment is reserved, opened into
     * its slot and committed (abandoned if it fails); anything else is opened in place and
     * accepted. Completed messages are checked against {@code expected} and released.
     */
    private Outcome receive(byte[] datagram, byte[] expected) {
        frame.wrap(MemorySegment.ofArray(datagram.clone()), 0, datagram.length);
        Outcome outcome;
        if (reassembler.reserve(frame, 0) == Reservation.RESERVED) {
            boolean opened = false;
            try {
                opener.openInto(frame, reassembler.reservedBuffer(), reassembler.reservedOffset());
                opened = true;
            } finally {
                if (!opened) {
                    reassembler.abandon();
                }
            }
            outcome = reassembler.commit();
        } else {
            opener.open(frame);
            outcome = reassembler.accept(frame, 0);
        }
        if (outcome == Outcome.COMPLETE) {
            try {
                assertArrayEquals(expected, reassembler.message().asSlice(0, reassembler.messageLength())
                        .toArray(ValueLayout.JAVA_BYTE));
            } finally {
                reassembler.release();
            }
        }
        return outcome;
    }

    private static byte[] forged(byte[] datagram, int at) {
        byte[] forged = datagram.clone();
        forged[at] ^= 0x01;
        return forged;
    }

    @Test
    void fragmentsOpenedIntoTheirSlotInOrderRebuildTheMessageInBothModes() {
        for (SecurityMode mode : SecurityMode.values()) {
            session(mode);
            byte[] message = message(mode.ordinal());
            List<byte[]> datagrams = sealedFragments(message, 1);
            assertEquals(9, datagrams.size());
            for (int i = 0; i < datagrams.size() - 1; i++) {
                assertEquals(Outcome.INCOMPLETE, receive(datagrams.get(i), message), mode + " fragment " + i);
            }
            assertEquals(Outcome.COMPLETE, receive(datagrams.getLast(), message), mode.toString());
            assertEquals(0, reassembler.slotsInUse());
        }
    }

    @Property(tries = 20)
    void fragmentsOpenedIntoTheirSlotOutOfOrderAndRetransmittedRebuildTheMessage(@ForAll SecurityMode mode,
            @ForAll long seed) {
        session(mode);
        byte[] message = message(seed);
        List<byte[]> datagrams = sealedFragments(message, 3);
        Random random = new Random(seed);
        for (int i = 0; i < 4; i++) {
            datagrams.add(sealedFragment(message, 3, random.nextInt(9))); // retransmissions, new sequences
        }
        Collections.shuffle(datagrams, random);
        int completions = 0;
        int storedBefore = 0;
        for (byte[] datagram : datagrams) {
            Outcome outcome = receive(datagram, message);
            completions += outcome == Outcome.COMPLETE ? 1 : 0;
            storedBefore += outcome == Outcome.INCOMPLETE && completions == 0 ? 1 : 0;
        }
        assertEquals(1, completions);
        assertEquals(8, storedBefore, "each other fragment counted once, retransmissions not at all");
        assertEquals(0, opener.forgeries());
        assertEquals(0, opener.replays());
    }

    @Test
    void aForgedCopyOfAFragmentAlreadyReceivedLeavesItsBytesIntact() {
        for (SecurityMode mode : SecurityMode.values()) {
            session(mode);
            byte[] message = message(7);
            List<byte[]> datagrams = sealedFragments(message, 4);
            for (int i = 0; i < 5; i++) {
                assertEquals(Outcome.INCOMPLETE, receive(datagrams.get(i), message));
            }
            byte[] again = sealedFragment(message, 4, 2);
            assertThrows(AuthenticationException.class, () -> receive(forged(again, FrameHeader.LENGTH + 100), message));
            assertThrows(AuthenticationException.class, () -> receive(forged(again, again.length - 1), message));
            assertEquals(2, opener.forgeries(), mode.toString());
            for (int i = 5; i < 8; i++) {
                assertEquals(Outcome.INCOMPLETE, receive(datagrams.get(i), message));
            }
            assertEquals(Outcome.COMPLETE, receive(datagrams.get(8), message), mode.toString());
        }
    }

    @Test
    void aForgedFragmentNeitherCountsNorDamagesItsNeighbours() {
        for (SecurityMode mode : SecurityMode.values()) {
            session(mode);
            byte[] message = message(8);
            List<byte[]> datagrams = sealedFragments(message, 5);
            for (int i : new int[] {2, 4, 8}) {
                assertEquals(Outcome.INCOMPLETE, receive(datagrams.get(i), message));
            }
            assertThrows(AuthenticationException.class, () -> receive(forged(datagrams.get(3), 60), message));
            assertThrows(AuthenticationException.class, () -> receive(forged(datagrams.get(3), MAX_DATAGRAM - 3), message));
            assertEquals(2, opener.forgeries(), mode.toString());
            for (int i : new int[] {0, 1, 5, 6, 7}) {
                assertEquals(Outcome.INCOMPLETE, receive(datagrams.get(i), message), mode + " fragment " + i);
            }
            // the forged copies of fragment 3 did not count: the message completes only with the real one
            assertEquals(Outcome.COMPLETE, receive(datagrams.get(3), message), mode.toString());
        }
    }

    @Test
    void aForgedFragmentWhoseHeaderContradictsItsMessageIsAForgeryNotAMalformedMessage() {
        session(SecurityMode.ENCRYPTED);
        byte[] message = message(9);
        List<byte[]> datagrams = sealedFragments(message, 11);
        receive(datagrams.get(0), message);
        byte[] otherCount = datagrams.get(5).clone();
        frame.wrap(MemorySegment.ofArray(otherCount), 0, otherCount.length).fragment(5, 10, 5L * 8192);
        byte[] outOfPlace = datagrams.get(6).clone();
        frame.wrap(MemorySegment.ofArray(outOfPlace), 0, outOfPlace.length).fragment(6, 9, 6L * 8192 + 1);
        frame.wrap(MemorySegment.ofArray(otherCount), 0, otherCount.length);
        assertEquals(Reservation.MALFORMED, reassembler.reserve(frame, 0));
        assertThrows(AuthenticationException.class, () -> receive(otherCount, message));
        assertThrows(AuthenticationException.class, () -> receive(outOfPlace, message));
        assertEquals(2, opener.forgeries());
        assertEquals(1, reassembler.slotsInUse());
        for (int i = 1; i < 9; i++) {
            assertEquals(i == 8 ? Outcome.COMPLETE : Outcome.INCOMPLETE, receive(datagrams.get(i), message));
        }
    }

    @Test
    void aForgedFirstFragmentOfANewMessageTakesNoSlot() {
        session(SecurityMode.ENCRYPTED);
        Reassembler oneSlotEach = new Reassembler(2, 1, 66_560, 16, SECOND);
        byte[] first = message(1);
        List<byte[]> datagrams = sealedFragments(first, 6);
        byte[] forgedFirst = forged(datagrams.get(0), FrameHeader.LENGTH);
        frame.wrap(MemorySegment.ofArray(forgedFirst), 0, forgedFirst.length);
        assertEquals(Reservation.RESERVED, oneSlotEach.reserve(frame, 0));
        assertEquals(1, oneSlotEach.slotsInUse());
        assertThrows(AuthenticationException.class,
                () -> opener.openInto(frame, oneSlotEach.reservedBuffer(), oneSlotEach.reservedOffset()));
        oneSlotEach.abandon();
        assertEquals(0, oneSlotEach.slotsInUse());
        assertEquals(1, opener.forgeries());
        // the session's quota of one slot is whole again: the real message takes it
        frame.wrap(MemorySegment.ofArray(datagrams.get(1)), 0, datagrams.get(1).length);
        assertEquals(Reservation.RESERVED, oneSlotEach.reserve(frame, 0));
        oneSlotEach.abandon();

        assertEquals(Outcome.INCOMPLETE, receive(sealedFragments(message(2), 9).get(0), null));
        assertEquals(1, reassembler.slotsInUse());
        assertThrows(AuthenticationException.class, () -> receive(forgedFirst, first));
        assertEquals(1, reassembler.slotsInUse());
        for (byte[] datagram : datagrams) {
            receive(datagram, first);
        }
        assertEquals(1, reassembler.slotsInUse(), "completed and released; the other message still waits");
    }

    @Test
    void aReplayedFragmentIsRefusedAndTouchesNoSlot() {
        session(SecurityMode.ENCRYPTED);
        byte[] message = message(3);
        List<byte[]> datagrams = sealedFragments(message, 10);
        for (int i = 0; i < 4; i++) {
            receive(datagrams.get(i), message);
        }
        assertThrows(ReplayException.class, () -> receive(datagrams.get(1), message));
        assertEquals(1, opener.replays());

        // the same replay once the slot is gone would start a new message: it takes no slot
        assertEquals(1, reassembler.discard(SESSION));
        assertThrows(ReplayException.class, () -> receive(datagrams.get(1), message));
        assertEquals(2, opener.replays());
        assertEquals(0, reassembler.slotsInUse());
        assertEquals(0, opener.forgeries());

        // a replay of a fragment the new slot still misses: refused before anything is written
        for (int i = 4; i < 9; i++) {
            receive(datagrams.get(i), message);
        }
        assertThrows(ReplayException.class, () -> receive(datagrams.get(2), message));
        assertEquals(3, opener.replays());
        for (int i = 0; i < 4; i++) {
            assertEquals(i == 3 ? Outcome.COMPLETE : Outcome.INCOMPLETE,
                    receive(sealedFragment(message, 10, i), message));
        }
        assertEquals(0, reassembler.slotsInUse());
    }

    /** Seals a payload, opens a copy of it into {@code target} at 100 and returns the copy. */
    private byte[] sealAndOpenInto(byte[] payload, MemorySegment target) {
        MemorySegment datagram = MemorySegment.ofArray(new byte[FrameHeader.LENGTH + payload.length + FrameHeader.TAG_LENGTH]);
        frame.encode(datagram, 0, (int) datagram.byteSize()).sessionId(SESSION).requestId(1).payloadLength(payload.length);
        MemorySegment.copy(MemorySegment.ofArray(payload), 0, datagram, FrameHeader.LENGTH, payload.length);
        sealer.seal(frame);
        opener.openInto(frame, target, 100);
        return datagram.toArray(ValueLayout.JAVA_BYTE);
    }

    @Property(tries = 30)
    void openIntoWritesExactlyThePayloadAtTheOffsetOnTheHeapAndInNativeMemory(@ForAll SecurityMode mode,
            @ForAll long seed) {
        session(mode);
        byte[] payload = new byte[new Random(seed).nextInt(9000)];
        new Random(seed).nextBytes(payload);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] targets = {MemorySegment.ofArray(new byte[payload.length + 300]).asSlice(50),
                    arena.allocate(payload.length + 250)};
            for (MemorySegment target : targets) {
                target.fill((byte) 0x5A);
                sealAndOpenInto(payload, target);
                byte[] bytes = target.toArray(ValueLayout.JAVA_BYTE);
                assertArrayEquals(payload, java.util.Arrays.copyOfRange(bytes, 100, 100 + payload.length));
                for (int i = 0; i < bytes.length; i++) {
                    if (i < 100 || i >= 100 + payload.length) {
                        assertEquals(0x5A, bytes[i], "byte " + i + " outside the payload's range");
                    }
                }
            }
        }
    }

    @Test
    void aForgedDatagramOpenedIntoATargetWritesNothingOutsideItsRangeAndInIntegrityModeNothingAtAll() {
        for (SecurityMode mode : SecurityMode.values()) {
            session(mode);
            byte[] payload = message(4);
            MemorySegment datagram = MemorySegment.ofArray(new byte[MAX_DATAGRAM]);
            frame.encode(datagram, 0, MAX_DATAGRAM).sessionId(SESSION).requestId(1).payloadLength(8000);
            MemorySegment.copy(MemorySegment.ofArray(payload), 0, datagram, FrameHeader.LENGTH, 8000);
            int length = sealer.seal(frame);
            datagram.set(ValueLayout.JAVA_BYTE, length - 1, (byte) (datagram.get(ValueLayout.JAVA_BYTE, length - 1) ^ 1));
            MemorySegment target = MemorySegment.ofArray(new byte[9000]);
            target.fill((byte) 0x5A);
            frame.wrap(datagram, 0, length);
            assertThrows(AuthenticationException.class, () -> opener.openInto(frame, target, 500));
            assertEquals(1, opener.forgeries());
            byte[] bytes = target.toArray(ValueLayout.JAVA_BYTE);
            for (int i = 0; i < bytes.length; i++) {
                if (mode == SecurityMode.INTEGRITY_ONLY || i < 500 || i >= 8500) {
                    assertEquals(0x5A, bytes[i], mode + ": byte " + i);
                }
            }
        }
    }

    @Test
    void aTargetTooSmallOrReadOnlyIsRefusedBeforeAnythingIsCheckedOrCounted() {
        session(SecurityMode.ENCRYPTED);
        byte[] sealed = sealedFragment(message(5), 1, 0);
        frame.wrap(MemorySegment.ofArray(sealed), 0, sealed.length);
        assertThrows(IndexOutOfBoundsException.class, () -> opener.openInto(frame, MemorySegment.ofArray(new byte[9000]), 900));
        assertThrows(IllegalArgumentException.class,
                () -> opener.openInto(frame, MemorySegment.ofArray(new byte[9000]).asReadOnly(), 0));
        assertEquals(0, opener.forgeries());
        MemorySegment target = MemorySegment.ofArray(new byte[9000]);
        opener.openInto(frame, target, 0);
        assertArrayEquals(java.util.Arrays.copyOf(message(5), fragmenter.maxPayload()),
                target.asSlice(0, fragmenter.maxPayload()).toArray(ValueLayout.JAVA_BYTE));
    }
}

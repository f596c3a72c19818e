package io.coems.nvsp.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coems.nvsp.ChecksumMismatchException;
import io.coems.nvsp.MalformedMessageException;
import io.coems.nvsp.frame.Reassembler.Outcome;
import io.coems.nvsp.frame.Reassembler.Reservation;
import io.coems.nvsp.message.MessageType;
import io.coems.nvsp.message.Nack;
import io.coems.nvsp.message.WriteRequest;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ReassemblerTest {
    private static final int MAX_DATAGRAM = 1408;
    private static final long SECOND = 1_000_000_000L;

    private final Fragmenter fragmenter = new Fragmenter(MAX_DATAGRAM, false);
    private final FrameHeader frame = new FrameHeader();
    private final Reassembler reassembler = new Reassembler(4, 4, 70_000, 64, SECOND);

    /** A 64 KiB WRITE encoded into a message buffer. */
    private static MemorySegment write(long seed) {
        byte[] data = new byte[65536];
        new Random(seed).nextBytes(data);
        MemorySegment message = MemorySegment.ofArray(new byte[70_000]);
        new WriteRequest().encode(message, 0, 70_000, MessageType.WRITE).volumeId(1)
                .data().put(MemorySegment.ofArray(data), 0, data.length);
        return message;
    }

    private static int length(MemorySegment message) {
        return new WriteRequest().wrap(message, 0, 70_000).encodedLength();
    }

    /** Every fragment of a message of session 5 as a received datagram. */
    private List<byte[]> datagrams(MemorySegment message, long requestId) {
        return datagrams(message, 5, requestId);
    }

    /** Every fragment of a message as a received datagram. */
    private List<byte[]> datagrams(MemorySegment message, long sessionId, long requestId) {
        List<byte[]> datagrams = new ArrayList<>();
        int length = length(message);
        for (int i = 0; i < fragmenter.fragmentCount(length); i++) {
            MemorySegment datagram = MemorySegment.ofArray(new byte[MAX_DATAGRAM]);
            frame.encode(datagram, 0, MAX_DATAGRAM).sessionId(sessionId).requestId(requestId);
            int frameLength = fragmenter.writeFragment(frame, message, 0, length, i);
            datagrams.add(datagram.asSlice(0, frameLength).toArray(ValueLayout.JAVA_BYTE));
        }
        return datagrams;
    }

    private Outcome accept(byte[] datagram, long now) {
        return accept(reassembler, datagram, now);
    }

    private Outcome accept(Reassembler r, byte[] datagram, long now) {
        return r.accept(frame.wrap(MemorySegment.ofArray(datagram), 0, datagram.length), now);
    }

    private Outcome accept(Reassembler r, byte[] datagram, long owner, long now) {
        return r.accept(frame.wrap(MemorySegment.ofArray(datagram), 0, datagram.length), owner, now);
    }

    private byte[] completed() {
        return reassembler.message().asSlice(0, reassembler.messageLength()).toArray(ValueLayout.JAVA_BYTE);
    }

    @Property(tries = 30)
    void fragmentsInAnyOrderWithDuplicatesRebuildTheMessage(@ForAll long seed) {
        MemorySegment message = write(seed);
        List<byte[]> datagrams = datagrams(message, 1);
        assertEquals(48, datagrams.size());
        List<byte[]> shuffled = new ArrayList<>(datagrams);
        shuffled.addAll(datagrams.subList(0, 10));
        Collections.shuffle(shuffled, new Random(seed));
        int completions = 0;
        int duplicates = 0;
        for (byte[] datagram : shuffled) {
            Outcome outcome = accept(datagram, 0);
            if (outcome == Outcome.COMPLETE) {
                completions++;
                WriteRequest write = new WriteRequest().wrap(reassembler.message(), 0, reassembler.messageLength());
                write.data().verify();
                assertArrayEquals(message.asSlice(0, length(message)).toArray(ValueLayout.JAVA_BYTE), completed());
            } else if (outcome == Outcome.DUPLICATE) {
                duplicates++;
            }
        }
        reassembler.release();
        assertEquals(1, completions);
        assertEquals(10, duplicates, "the slot stays until release, so late copies are duplicates too");
    }

    @Test
    void missingFragmentsAreNamedInTheNack() {
        List<byte[]> datagrams = datagrams(write(1), 7);
        for (int i = 0; i < datagrams.size(); i++) {
            if (i != 3 && i != 40 && i != 47) {
                assertEquals(Outcome.INCOMPLETE, accept(datagrams.get(i), 0));
            }
        }
        Nack nack = new Nack().encode(MemorySegment.ofArray(new byte[100]), 0, 100, MessageType.NACK);
        assertTrue(reassembler.nack(5, 7, nack));
        assertEquals(48, nack.fragmentCount());
        for (int i = 0; i < 48; i++) {
            assertEquals(i == 3 || i == 40 || i == 47, nack.isMissing(i), "fragment " + i);
        }
        assertFalse(reassembler.nack(5, 8, nack));
        accept(datagrams.get(47), 0);
        accept(datagrams.get(3), 0);
        assertEquals(Outcome.COMPLETE, accept(datagrams.get(40), 0));
        assertFalse(reassembler.nack(5, 7, nack));
    }

    @Test
    void slotsAreBoundedAndExpire() {
        for (long request = 1; request <= 4; request++) {
            assertEquals(Outcome.INCOMPLETE, accept(datagrams(write(request), request).get(0), 0));
        }
        byte[] fifth = datagrams(write(5), 5).get(0);
        assertEquals(Outcome.NO_SLOT, accept(fifth, SECOND / 2));
        assertEquals(4, reassembler.slotsInUse());
        assertEquals(Outcome.INCOMPLETE, accept(fifth, 2 * SECOND));
        assertEquals(4, reassembler.slotsInUse());
        assertEquals(3, reassembler.expire(2 * SECOND));
        assertEquals(1, reassembler.slotsInUse());
    }

    @Test
    void aCompletedMessageKeepsItsSlotUntilReleased() {
        List<byte[]> datagrams = datagrams(write(3), 9);
        datagrams.forEach(d -> accept(d, 0));
        assertEquals(Outcome.DUPLICATE, accept(datagrams.get(0), 0));
        assertEquals(0, reassembler.expire(SECOND / 2));
        reassembler.release();
        assertEquals(0, reassembler.slotsInUse());
    }

    /** A message that completes but fails to decode (bad CRC-32C), so the receiver never releases it. */
    private void completeWithoutRelease(Reassembler r, long sessionId, long requestId) {
        MemorySegment message = write(requestId);
        message.set(ValueLayout.JAVA_BYTE, 28, (byte) (message.get(ValueLayout.JAVA_BYTE, 28) ^ 0x55));
        for (byte[] datagram : datagrams(message, sessionId, requestId)) {
            if (accept(r, datagram, 0) == Outcome.COMPLETE) {
                WriteRequest write = new WriteRequest().wrap(r.message(), 0, r.messageLength());
                assertThrows(ChecksumMismatchException.class, () -> write.data().verify());
            }
        }
    }

    @Test
    void aCompletedMessageThatIsNeverReleasedExpires() {
        Reassembler r = new Reassembler(2, 2, 70_000, 64, SECOND);
        completeWithoutRelease(r, 7, 1);
        assertEquals(1, r.slotsInUse());
        assertEquals(1, r.expire(2 * SECOND), "a completed slot must expire like an incomplete one");
        assertEquals(0, r.slotsInUse());
        assertThrows(IllegalStateException.class, r::message, "the expired message is gone");
    }

    @Test
    void completingAMessageFreesTheOneNotReleasedSoNoSlotIsOrphaned() {
        Reassembler r = new Reassembler(2, 2, 70_000, 64, SECOND);
        completeWithoutRelease(r, 7, 1);
        completeWithoutRelease(r, 7, 2);
        assertEquals(1, r.slotsInUse(), "the first completed message still holds its slot");
        r.release();
        assertEquals(0, r.slotsInUse());
        assertEquals(Outcome.INCOMPLETE, accept(r, datagrams(write(3), 8, 3).get(0), 0));
    }

    @Test
    void malformedMessagesOfEverySessionNeverStopReassembly() {
        Reassembler r = new Reassembler(2, 2, 70_000, 64, SECOND);
        completeWithoutRelease(r, 7, 1);
        completeWithoutRelease(r, 8, 2);
        r.expire(3600 * SECOND);
        assertEquals(0, r.slotsInUse());
        assertEquals(Outcome.INCOMPLETE, accept(r, datagrams(write(4), 9, 99).get(0), 3600 * SECOND));
    }

    @Test
    void oneSessionHoldsAtMostItsQuotaOfSlots() {
        Reassembler r = new Reassembler(4, 2, 70_000, 64, SECOND);
        assertEquals(Outcome.INCOMPLETE, accept(r, datagrams(write(1), 7, 1).get(0), 0));
        assertEquals(Outcome.INCOMPLETE, accept(r, datagrams(write(2), 7, 2).get(0), 0));
        assertEquals(Outcome.NO_SLOT, accept(r, datagrams(write(3), 7, 3).get(0), 0), "session 7 is at its quota");
        assertEquals(Outcome.INCOMPLETE, accept(r, datagrams(write(3), 8, 3).get(0), 0), "session 8 still gets a slot");
        assertEquals(Outcome.INCOMPLETE, accept(r, datagrams(write(1), 7, 1).get(1), 0), "held slots still fill");
        assertEquals(Outcome.INCOMPLETE, accept(r, datagrams(write(3), 7, 3).get(0), 2 * SECOND),
                "an expired slot no longer counts");
        assertThrows(IllegalArgumentException.class, () -> new Reassembler(2, 3, 100, 4, SECOND));
    }

    @Test
    void sessionsOfOneOwnerShareItsQuota() {
        Reassembler r = new Reassembler(4, 2, 70_000, 64, SECOND);
        assertEquals(Outcome.INCOMPLETE, accept(r, datagrams(write(1), 7, 1).get(0), 100, 0));
        assertEquals(Outcome.INCOMPLETE, accept(r, datagrams(write(2), 8, 2).get(0), 100, 0));
        assertEquals(Outcome.NO_SLOT, accept(r, datagrams(write(3), 9, 3).get(0), 100, 0),
                "sessions 7, 8 and 9 of owner 100 share its quota of 2");
        assertEquals(Outcome.INCOMPLETE, accept(r, datagrams(write(3), 10, 3).get(0), 200, 0),
                "owner 200 gets a slot");
        assertEquals(Outcome.INCOMPLETE, accept(r, datagrams(write(1), 7, 1).get(1), 100, 0),
                "held slots still fill");
        assertEquals(1, r.discard(7), "session 7 ended: its slot is freed at once");
        assertEquals(Outcome.INCOMPLETE, accept(r, datagrams(write(3), 9, 3).get(0), 100, 0),
                "owner 100 has room again without waiting for the expiry");
        assertEquals(0, r.discard(7));
    }

    @Test
    void discardingTheSessionOfTheMessageBeingDecodedLeavesReleaseNothingToDo() {
        Reassembler r = new Reassembler(4, 4, 70_000, 64, SECOND);
        List<byte[]> fragments = datagrams(write(5), 7, 1);
        for (byte[] fragment : fragments) {
            accept(r, fragment, 0);
        }
        assertEquals(1, r.discard(7), "the completed message's slot");
        r.release(); // the decoder's finally block, after its CLOSE ended the session
        assertEquals(0, r.slotsInUse());
    }

    @Test
    void corruptedDataIsCaughtByTheChecksumAfterReassembly() {
        List<byte[]> datagrams = datagrams(write(4), 2);
        datagrams.get(20)[FrameHeader.LENGTH + 100] ^= 0x10;
        datagrams.forEach(d -> accept(d, 0));
        WriteRequest write = new WriteRequest().wrap(reassembler.message(), 0, reassembler.messageLength());
        assertThrows(ChecksumMismatchException.class, () -> write.data().verify());
    }

    @Test
    void contradictoryFragmentsAreMalformed() {
        List<byte[]> datagrams = datagrams(write(6), 3);
        accept(datagrams.get(0), 0);
        byte[] otherCount = datagrams.get(1).clone();
        otherCount[6] = 50;
        assertEquals("fragmentCount", assertThrows(MalformedMessageException.class, () -> accept(otherCount, 0)).field());
        accept(datagrams.get(47), 0);
        byte[] beyondEnd = datagrams.get(5).clone();
        beyondEnd[33] = (byte) 0xFF;
        assertEquals("fragmentOffset", assertThrows(MalformedMessageException.class, () -> accept(beyondEnd, 0)).field());
    }

    @Test
    void fragmentsOutOfPlaceAreRejectedSoFragmentsAlwaysTileTheMessage() {
        List<byte[]> datagrams = datagrams(write(8), 4);
        byte[] shifted = datagrams.get(1).clone();
        shifted[32] = 1;
        shifted[33] = 0;
        assertEquals("fragmentOffset", assertThrows(MalformedMessageException.class, () -> accept(shifted, 0)).field());
        assertEquals(0, reassembler.slotsInUse());
        accept(datagrams.get(0), 0);
        byte[] shortLast = datagrams.get(47).clone();
        shortLast[32] += 8;
        assertThrows(MalformedMessageException.class, () -> accept(shortLast, 0));
    }

    @Property(tries = 50)
    void limitsAreEnforced(@ForAll @IntRange(min = 65, max = 0xFFFF) int count) {
        byte[] datagram = datagrams(write(9), 1).get(0);
        datagram[6] = (byte) count;
        datagram[7] = (byte) (count >>> 8);
        assertThrows(MalformedMessageException.class, () -> accept(datagram, 0));
    }

    private Reservation reserve(byte[] datagram, long now) {
        return reassembler.reserve(frame.wrap(MemorySegment.ofArray(datagram), 0, datagram.length), now);
    }

    /** Writes the wrapped fragment's payload where the reassembler reserved it, and commits it. */
    private Outcome writeAndCommit() {
        MemorySegment.copy(frame.segment(), frame.payloadOffset(), reassembler.reservedBuffer(),
                reassembler.reservedOffset(), frame.payloadLength());
        return reassembler.commit();
    }

    @Test
    void reservedFragmentsRebuildTheMessageOnceCommittedAndAbandonedOnesNeverCount() {
        MemorySegment message = write(11);
        List<byte[]> datagrams = datagrams(message, 7);
        Nack nack = new Nack().encode(MemorySegment.ofArray(new byte[100]), 0, 100, MessageType.NACK);
        assertEquals(Reservation.RESERVED, reserve(datagrams.get(5), 0));
        assertEquals(5L * fragmenter.maxPayload(), reassembler.reservedOffset());
        assertEquals(1, reassembler.slotsInUse());
        reassembler.abandon();
        assertEquals(0, reassembler.slotsInUse(), "the slot claimed for the abandoned fragment is free again");
        assertFalse(reassembler.nack(5, 7, nack));
        for (int i = 47; i >= 1; i--) {
            assertEquals(Reservation.RESERVED, reserve(datagrams.get(i), 0));
            assertEquals(Outcome.INCOMPLETE, writeAndCommit());
        }
        assertEquals(Reservation.DUPLICATE, reserve(datagrams.get(5), 0), "a fragment received is never reserved again");
        assertEquals(Reservation.RESERVED, reserve(datagrams.get(0), 0));
        reassembler.reservedBuffer().asSlice(0, 100).fill((byte) 0x77); // what a failed open may leave
        reassembler.abandon();
        assertEquals(1, reassembler.slotsInUse(), "a slot holding received fragments stays");
        assertTrue(reassembler.nack(5, 7, nack));
        assertTrue(nack.isMissing(0));
        assertFalse(nack.isMissing(1));
        assertEquals(Reservation.RESERVED, reserve(datagrams.get(0), 0));
        assertEquals(Outcome.COMPLETE, writeAndCommit());
        assertArrayEquals(message.asSlice(0, length(message)).toArray(ValueLayout.JAVA_BYTE), completed());
        reassembler.release();
        assertEquals(0, reassembler.slotsInUse());
    }

    @Test
    void reservingAMalformedFragmentAnswersMalformedAndReservesNothing() {
        List<byte[]> datagrams = datagrams(write(12), 3);
        byte[] shifted = datagrams.get(1).clone();
        shifted[32] = 1;
        assertEquals(Reservation.MALFORMED, reserve(shifted, 0));
        assertEquals(0, reassembler.slotsInUse());
        assertEquals(Reservation.RESERVED, reserve(datagrams.get(0), 0));
        assertEquals(Outcome.INCOMPLETE, writeAndCommit());
        byte[] otherCount = datagrams.get(1).clone();
        otherCount[6] = 50;
        assertEquals(Reservation.MALFORMED, reserve(otherCount, 0));
        byte[] tooMany = datagrams.get(2).clone();
        tooMany[7] = 1;
        assertEquals(Reservation.MALFORMED, reserve(tooMany, 0));
        assertEquals("fragmentCount", assertThrows(MalformedMessageException.class, () -> accept(otherCount, 0)).field());
        assertEquals(Reservation.RESERVED, reserve(datagrams.get(1), 0), "nothing was left reserved");
        reassembler.abandon();
    }

    @Test
    void aFragmentFindsNoSlotToReserveWhenItsOwnerHoldsItsQuota() {
        Reassembler r = new Reassembler(4, 1, 70_000, 64, SECOND);
        byte[] first = datagrams(write(13), 1).get(0);
        assertEquals(Reservation.RESERVED, r.reserve(frame.wrap(MemorySegment.ofArray(first), 0, first.length), 9, 0));
        r.abandon();
        assertEquals(Outcome.INCOMPLETE, accept(r, first, 9, 0));
        byte[] second = datagrams(write(14), 2).get(0);
        assertEquals(Reservation.NO_SLOT, r.reserve(frame.wrap(MemorySegment.ofArray(second), 0, second.length), 9, 0));
        assertEquals(1, r.slotsInUse());
    }

    @Test
    void betweenReservingAndCommittingNothingElseRuns() {
        List<byte[]> datagrams = datagrams(write(15), 4);
        assertThrows(IllegalStateException.class, reassembler::commit);
        assertThrows(IllegalStateException.class, reassembler::reservedBuffer);
        assertThrows(IllegalStateException.class, reassembler::reservedOffset);
        reassembler.abandon(); // nothing reserved: nothing to do
        assertEquals(Reservation.RESERVED, reserve(datagrams.get(0), 0));
        assertThrows(IllegalStateException.class, () -> reserve(datagrams.get(1), 0));
        assertThrows(IllegalStateException.class, () -> accept(datagrams.get(1), 0));
        assertThrows(IllegalStateException.class, () -> reassembler.expire(10 * SECOND));
        assertThrows(IllegalStateException.class, () -> reassembler.discard(5));
        assertEquals(1, reassembler.slotsInUse());
        frame.wrap(MemorySegment.ofArray(datagrams.get(0)), 0, datagrams.get(0).length);
        assertEquals(Outcome.INCOMPLETE, writeAndCommit());
        assertThrows(IllegalStateException.class, reassembler::commit, "a reservation is committed once");
        assertEquals(Outcome.INCOMPLETE, accept(datagrams.get(1), 0));
    }
}

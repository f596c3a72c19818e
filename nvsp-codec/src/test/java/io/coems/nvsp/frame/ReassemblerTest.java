package io.coems.nvsp.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coems.nvsp.ChecksumMismatchException;
import io.coems.nvsp.MalformedMessageException;
import io.coems.nvsp.frame.Reassembler.Outcome;
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
    private final Reassembler reassembler = new Reassembler(4, 70_000, 64, SECOND);

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

    /** Every fragment of a message as a received datagram. */
    private List<byte[]> datagrams(MemorySegment message, long requestId) {
        List<byte[]> datagrams = new ArrayList<>();
        int length = length(message);
        for (int i = 0; i < fragmenter.fragmentCount(length); i++) {
            MemorySegment datagram = MemorySegment.ofArray(new byte[MAX_DATAGRAM]);
            frame.encode(datagram, 0, MAX_DATAGRAM).sessionId(5).requestId(requestId);
            int frameLength = fragmenter.writeFragment(frame, message, 0, length, i);
            datagrams.add(datagram.asSlice(0, frameLength).toArray(ValueLayout.JAVA_BYTE));
        }
        return datagrams;
    }

    private Outcome accept(byte[] datagram, long now) {
        return reassembler.accept(frame.wrap(MemorySegment.ofArray(datagram), 0, datagram.length), now);
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
        assertEquals(0, reassembler.expire(10 * SECOND));
        reassembler.release();
        assertEquals(0, reassembler.slotsInUse());
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
}

package io.coems.nvsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coems.nvsp.frame.Fragmenter;
import io.coems.nvsp.frame.FrameHeader;
import io.coems.nvsp.message.MessageType;
import io.coems.nvsp.message.WriteRequest;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToIntFunction;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

/**
 * Hostile input: arbitrary bytes, arbitrary bodies behind a valid frame header, truncations and
 * bit flips of valid datagrams never make the codec throw anything but its own exceptions or
 * read outside the datagram (each datagram sits in a segment of exactly its length, so a stray
 * read would raise IndexOutOfBoundsException), and a protected datagram with any bit flipped
 * never opens. The properties that target the decoders check, with jqwik's statistics, that
 * most of their inputs get past the frame header to the reassembler or a message decoder.
 */
class FuzzTest {
    private static final List<byte[]> VALID = encodeVectors();
    private static final String OUTCOME = "outcome";
    private static final String STOPPED_AT_HEADER = "rejected by the frame header or the opener";
    private static final String STOPPED_PAST_HEADER = "rejected by the reassembler or a message decoder";
    private static final String ACCEPTED = "decoded or stored as a fragment";
    private static final int FRAME_LENGTH_AT = 2;

    private final Receiver receiver = new Receiver();

    private static List<byte[]> encodeVectors() {
        List<byte[]> datagrams = new ArrayList<>();
        for (ToIntFunction<MemorySegment> vector : new Vectors().all().values()) {
            MemorySegment buffer = MemorySegment.ofArray(new byte[2048]);
            int length = vector.applyAsInt(buffer);
            datagrams.add(buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE));
        }
        return datagrams;
    }

    /**
     * Returns an unprotected datagram with a valid frame header (fragment {@code index} of
     * {@code count}, at the offset the fragmenter would give it) and {@code body} as payload,
     * its first two bytes replaced by a message type code.
     */
    static byte[] behindValidHeader(byte[] body, int typeCode, int index, int count) {
        byte[] datagram = new byte[FrameHeader.LENGTH + body.length];
        System.arraycopy(body, 0, datagram, FrameHeader.LENGTH, body.length);
        MemorySegment segment = MemorySegment.ofArray(datagram);
        new FrameHeader().encode(segment, 0, datagram.length).sessionId(1).requestId(index + count)
                .fragment(index % count, count, (long) (index % count) * body.length).payloadLength(body.length);
        if (body.length >= 2) {
            datagram[FrameHeader.LENGTH] = (byte) typeCode;
            datagram[FrameHeader.LENGTH + 1] = (byte) (typeCode >>> 8);
        }
        return datagram;
    }

    /**
     * Returns the first {@code length} bytes of a datagram with its frameLength patched to
     * match, so the truncation passes the frame header and reaches what follows it.
     */
    static byte[] truncated(byte[] datagram, int length) {
        byte[] truncated = Arrays.copyOf(datagram, length);
        if (length >= FRAME_LENGTH_AT + 2) {
            truncated[FRAME_LENGTH_AT] = (byte) length;
            truncated[FRAME_LENGTH_AT + 1] = (byte) (length >>> 8);
        }
        return truncated;
    }

    @Provide
    Arbitrary<byte[]> validDatagrams() {
        return Arbitraries.of(VALID);
    }

    @Provide
    Arbitrary<Integer> typeCodes() {
        return Arbitraries.frequencyOf(
                Tuple.of(9, Arbitraries.of(MessageType.values()).map(MessageType::code)),
                Tuple.of(1, Arbitraries.integers().between(0, 0xFFFF)));
    }

    /** Receives a datagram, tolerating the codec's own rejections, and tells how far it got. */
    private String receiveTolerating(byte[] datagram, SecurityMode session) {
        try {
            receiver.receive(datagram, session);
            return ACCEPTED;
        } catch (NvspException expected) {
            return receiver.reachedBody() ? STOPPED_PAST_HEADER : STOPPED_AT_HEADER;
        }
    }

    @Property(tries = 2000)
    void arbitraryBytes(@ForAll @Size(max = 300) byte[] datagram) {
        receiveTolerating(datagram, Receiver.sessionMode(datagram.length > 1 ? datagram : new byte[2]));
    }

    @Property(tries = 2000)
    void arbitraryBodiesBehindAValidFrameHeader(@ForAll @Size(max = 300) byte[] body,
            @ForAll("typeCodes") int typeCode, @ForAll @IntRange(max = 3) int index,
            @ForAll @IntRange(min = 1, max = 4) int count) {
        Statistics.label(OUTCOME).collect(receiveTolerating(behindValidHeader(body, typeCode, index, count), null));
        Statistics.label(OUTCOME).coverage(checker -> checker.check(STOPPED_AT_HEADER).percentage(p -> p < 10));
    }

    /**
     * Message bodies of every type: a quarter random bytes, the rest valid messages (from the
     * unprotected, unfragmented vectors) with their type code replaced and a run of bytes
     * overwritten, so that length and count fields are often plausible and the decoders reach
     * their variable parts.
     */
    @Property(tries = 2000)
    void arbitraryBodiesOfEveryType(@ForAll MessageType type, @ForAll("messageBodies") byte[] message) {
        message[0] = (byte) type.code();
        message[1] = (byte) (type.code() >>> 8);
        String outcome;
        try {
            new AnyMessage().describe(MemorySegment.ofArray(message), 0, message.length);
            outcome = "decoded";
        } catch (NvspException expected) {
            outcome = "rejected by the decoder";
        }
        Statistics.label(OUTCOME).collect(outcome);
        Statistics.label(OUTCOME).coverage(checker -> checker.check("decoded").percentage(p -> p > 10));
    }

    @Provide
    Arbitrary<byte[]> messageBodies() {
        List<byte[]> bodies = VALID.stream().filter(d -> Receiver.sessionMode(d) == null)
                .filter(d -> new FrameHeader().wrap(MemorySegment.ofArray(d), 0, d.length).fragmentCount() == 1)
                .map(d -> Arrays.copyOfRange(d, FrameHeader.LENGTH, d.length)).toList();
        Arbitrary<byte[]> mutated = Arbitraries.of(bodies).flatMap(body -> Arbitraries.bytes().array(byte[].class)
                .ofMaxSize(8).flatMap(run -> Arbitraries.integers().between(0, body.length).map(at -> {
                    byte[] copy = body.clone();
                    System.arraycopy(run, 0, copy, at, Math.min(run.length, copy.length - at));
                    return copy;
                })));
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMinSize(2).ofMaxSize(400);
        return Arbitraries.frequencyOf(Tuple.of(3, mutated), Tuple.of(1, random));
    }

    @Property(tries = 1000)
    void truncations(@ForAll("validDatagrams") byte[] datagram, @ForAll @IntRange(max = 2000) int cut) {
        byte[] truncated = truncated(datagram, cut % datagram.length);
        String outcome = receiveTolerating(truncated, Receiver.sessionMode(datagram));
        assertTrue(!ACCEPTED.equals(outcome), "a truncated datagram is rejected");
        if (Receiver.sessionMode(datagram) == null && truncated.length >= FrameHeader.LENGTH) {
            assertEquals(STOPPED_PAST_HEADER, outcome, "a truncation with a patched frameLength reaches the decoders");
        }
        Statistics.label(OUTCOME).collect(outcome);
        Statistics.label(OUTCOME).coverage(checker -> checker.check(STOPPED_PAST_HEADER).percentage(p -> p > 20));
    }

    @Property(tries = 2000)
    void bitFlips(@ForAll("validDatagrams") byte[] datagram, @ForAll @IntRange(max = 100_000) int position) {
        byte[] flipped = datagram.clone();
        int bit = position % (flipped.length * 8);
        flipped[bit / 8] ^= (byte) (1 << (bit % 8));
        SecurityMode session = Receiver.sessionMode(datagram);
        if (session != null) {
            assertThrows(NvspException.class, () -> receiver.receive(flipped, session), "tampering must be detected");
        } else {
            receiveTolerating(flipped, null);
        }
    }

    @Test
    void theSharedReceiverStillReassemblesAfterIncompleteMessages() {
        MemorySegment message = MemorySegment.ofArray(new byte[4096]);
        WriteRequest write = new WriteRequest().encode(message, 0, 4096, MessageType.WRITE).volumeId(3);
        write.data().put(MemorySegment.ofArray(new byte[200]), 0, 200);
        Fragmenter fragmenter = new Fragmenter(120, false);
        String last = null;
        for (long request = 1; request <= 5; request++) {
            int fragments = request == 5 ? fragmenter.fragmentCount(write.encodedLength()) : 1;
            for (int i = 0; i < fragments; i++) {
                MemorySegment datagram = MemorySegment.ofArray(new byte[120]);
                FrameHeader frame = new FrameHeader().encode(datagram, 0, 120).sessionId(1).requestId(request);
                int length = fragmenter.writeFragment(frame, message, 0, write.encodedLength(), i);
                last = receiver.receive(datagram.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE), null);
            }
        }
        assertTrue(last.contains("WRITE volume=3"), "the fifth message never reassembles: " + last);
    }
}

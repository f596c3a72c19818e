package io.coems.nvsp.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coems.nvsp.EncodingException;
import io.coems.nvsp.SecurityMode;
import io.coems.nvsp.Vectors;
import io.coems.nvsp.frame.Fragmenter;
import io.coems.nvsp.frame.FrameHeader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Sealer#sealFrom}: a message sealed fragment by fragment from its own buffer opens to its
 * bytes, and every datagram is byte for byte the one the copy-then-seal path gives.
 */
class SealFromTest {
    private static final int MAX_DATAGRAM = FrameHeader.DEFAULT_MAX_DATAGRAM;
    private static final Fragmenter FRAGMENTER = new Fragmenter(MAX_DATAGRAM, true);
    private static final int MAX_PAYLOAD = FRAGMENTER.maxPayload();
    /** Where the message starts in its buffer, so offsets into the array are exercised. */
    private static final int AT = 77;
    private static final long FIRST_SEQUENCE = 1000;

    private final FrameHeader frame = new FrameHeader();

    /** Message lengths: empty, shorter than one fragment, exactly one, a short last one, exact multiples, the largest. */
    static Stream<Arguments> modesAndLengths() {
        int[] lengths = {0, 1, 100, MAX_PAYLOAD - 1, MAX_PAYLOAD, MAX_PAYLOAD + 1, 2 * MAX_PAYLOAD, 5000,
                (64 << 10) + 28, FrameHeader.MAX_MESSAGE};
        return Stream.of(SecurityMode.values())
                .flatMap(mode -> Arrays.stream(lengths).mapToObj(length -> Arguments.of(mode, length)));
    }

    private static Sealer sealer(SecurityMode mode) {
        return new Sealer(Vectors.KEYS.key(Direction.SERVER_TO_CLIENT), mode, FIRST_SEQUENCE);
    }

    private static Opener opener(SecurityMode mode) {
        return new Opener(Vectors.KEYS.key(Direction.SERVER_TO_CLIENT), mode, new ReplayWindow(64));
    }

    /** A buffer with the message at {@link #AT}, random bytes around it. */
    private static byte[] buffer(int length) {
        byte[] buffer = new byte[AT + length + 33];
        new Random(length).nextBytes(buffer);
        return buffer;
    }

    /** Writes the header of fragment {@code index} into a datagram at {@code offset} of {@code memory}. */
    private int header(MemorySegment memory, long offset, int messageLength, int index) {
        frame.encode(memory, offset, MAX_DATAGRAM).sessionId(42).requestId(7).credits(3);
        return FRAGMENTER.writeFragmentHeader(frame, messageLength, index);
    }

    /** Fragment {@code index} sealed with {@link Sealer#sealFrom}: the sealed datagram. */
    private byte[] sealFrom(Sealer sealer, MemorySegment memory, long offset, byte[] buffer, int length, int index) {
        memory.fill((byte) 0x5A);
        int start = header(memory, offset, length, index);
        int sealed = sealer.sealFrom(frame, buffer, AT + start);
        assertEquals(frame.frameLength(), sealed);
        return memory.asSlice(offset, sealed).toArray(ValueLayout.JAVA_BYTE);
    }

    /** Fragment {@code index} copied into the datagram by the fragmenter and sealed in place: the old path. */
    private byte[] copyAndSeal(Sealer sealer, MemorySegment memory, byte[] buffer, int length, int index) {
        memory.fill((byte) 0x5A);
        frame.encode(memory, 0, MAX_DATAGRAM).sessionId(42).requestId(7).credits(3);
        FRAGMENTER.writeFragment(frame, MemorySegment.ofArray(buffer), AT, length, index);
        int sealed = sealer.seal(frame);
        return memory.asSlice(0, sealed).toArray(ValueLayout.JAVA_BYTE);
    }

    @ParameterizedTest
    @MethodSource("modesAndLengths")
    void aMessageSealedFragmentByFragmentFromItsBufferOpensToItsBytes(SecurityMode mode, int length) {
        byte[] buffer = buffer(length);
        byte[] original = buffer.clone();
        Sealer sealer = sealer(mode);
        Opener opener = opener(mode);
        MemorySegment datagram = MemorySegment.ofArray(new byte[MAX_DATAGRAM]);
        byte[] message = new byte[length];
        int count = FRAGMENTER.fragmentCount(length);
        for (int i = 0; i < count; i++) {
            byte[] sealed = sealFrom(sealer, datagram, 0, buffer, length, i);
            boolean last = i == count - 1;
            assertEquals(last ? length - i * MAX_PAYLOAD : MAX_PAYLOAD, sealed.length - FrameHeader.LENGTH
                    - FrameHeader.TAG_LENGTH, "payload of fragment " + i);
            if (mode == SecurityMode.ENCRYPTED && sealed.length - FrameHeader.LENGTH - FrameHeader.TAG_LENGTH >= 16) {
                assertFalse(Arrays.equals(buffer, AT + i * MAX_PAYLOAD, AT + i * MAX_PAYLOAD + 16,
                        sealed, FrameHeader.LENGTH, FrameHeader.LENGTH + 16), "fragment " + i + " sent in clear");
            }
            MemorySegment received = MemorySegment.ofArray(sealed);
            opener.open(frame.wrap(received, 0, sealed.length));
            assertEquals(i, frame.fragmentIndex());
            assertEquals(count, frame.fragmentCount());
            MemorySegment.copy(received, ValueLayout.JAVA_BYTE, frame.payloadOffset(), message,
                    (int) frame.fragmentOffset(), frame.payloadLength());
        }
        assertArrayEquals(Arrays.copyOfRange(original, AT, AT + length), message);
        assertArrayEquals(original, buffer, "the message buffer was written to");
        assertEquals(FIRST_SEQUENCE + count, sealer.nextSequence());
    }

    @ParameterizedTest
    @MethodSource("modesAndLengths")
    void sealingFromTheBufferGivesTheBytesOfCopyingThenSealingInPlace(SecurityMode mode, int length) {
        byte[] buffer = buffer(length);
        Sealer copying = sealer(mode);
        Sealer fromBuffer = sealer(mode);
        MemorySegment old = MemorySegment.ofArray(new byte[MAX_DATAGRAM]);
        // a datagram in the middle of a batch, as the server's transmitter seals them
        MemorySegment batch = MemorySegment.ofArray(new byte[3 * MAX_DATAGRAM + 5]).asSlice(5);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment nativeDatagram = arena.allocate(MAX_DATAGRAM);
            for (int i = 0; i < FRAGMENTER.fragmentCount(length); i++) {
                long sequence = fromBuffer.nextSequence();
                byte[] expected = copyAndSeal(copying, old, buffer, length, i);
                byte[] heap = sealFrom(fromBuffer, batch, MAX_DATAGRAM, buffer, length, i);
                assertArrayEquals(expected, heap, "fragment " + i + " sealed from the buffer into a heap datagram");
                assertEquals(0x5A, batch.get(ValueLayout.JAVA_BYTE, MAX_DATAGRAM - 1), "byte before the datagram");
                assertEquals(0x5A, batch.get(ValueLayout.JAVA_BYTE, MAX_DATAGRAM + heap.length), "byte after it");

                Sealer again = new Sealer(Vectors.KEYS.key(Direction.SERVER_TO_CLIENT), mode, sequence);
                byte[] offHeap = sealFrom(again, nativeDatagram, 0, buffer, length, i);
                assertArrayEquals(expected, offHeap, "fragment " + i + " sealed from the buffer into native memory");
            }
        }
        assertEquals(copying.nextSequence(), fromBuffer.nextSequence());
    }

    @ParameterizedTest
    @EnumSource(SecurityMode.class)
    void aPayloadOutsideTheArrayOrASealedFrameIsRefusedWithoutTakingASequence(SecurityMode mode) {
        Sealer sealer = sealer(mode);
        byte[] buffer = buffer(4000);
        MemorySegment datagram = MemorySegment.ofArray(new byte[MAX_DATAGRAM]);
        header(datagram, 0, 4000, 0);
        assertEquals("payload: [" + (buffer.length - 100) + ", +" + frame.payloadLength() + ") is outside an array of "
                + buffer.length + " bytes",
                assertThrows(EncodingException.class, () -> sealer.sealFrom(frame, buffer, buffer.length - 100))
                        .getMessage());
        assertThrows(EncodingException.class, () -> sealer.sealFrom(frame, buffer, -1));
        assertEquals(FIRST_SEQUENCE, sealer.nextSequence());
        sealer.sealFrom(frame, buffer, AT);
        assertThrows(EncodingException.class, () -> sealer.sealFrom(frame, buffer, AT));
        assertEquals(FIRST_SEQUENCE + 1, sealer.nextSequence());
    }

    @Test
    void aDatagramWithoutRoomForTheTagIsRefused() {
        Sealer sealer = sealer(SecurityMode.ENCRYPTED);
        byte[] buffer = buffer(100);
        MemorySegment datagram = MemorySegment.ofArray(new byte[MAX_DATAGRAM]);
        frame.encode(datagram, 0, FrameHeader.LENGTH + 100).sessionId(42).payloadLength(100);
        assertThrows(EncodingException.class, () -> sealer.sealFrom(frame, buffer, AT));
    }

    private static long allocatedBytes() throws ReflectiveOperationException {
        Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                .invoke(null);
        Method allocated = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        return (long) allocated.invoke(threads);
    }

    /** Bytes allocated per datagram sealing whole fragments of a 64 KiB message, warmed up. */
    private long allocatedPerDatagram(boolean fromBuffer) throws ReflectiveOperationException {
        int length = 64 << 10;
        byte[] buffer = buffer(length);
        Sealer sealer = new Sealer(Vectors.KEYS.key(Direction.SERVER_TO_CLIENT), SecurityMode.ENCRYPTED, 1);
        MemorySegment datagram = MemorySegment.ofArray(new byte[MAX_DATAGRAM]);
        MemorySegment message = MemorySegment.ofArray(buffer);
        int rounds = 4000;
        long before = 0;
        for (int pass = 0; pass < 2; pass++) {
            before = allocatedBytes();
            for (int round = 0; round < rounds; round++) {
                int index = round % (FRAGMENTER.fragmentCount(length) - 1);
                frame.encode(datagram, 0, MAX_DATAGRAM).sessionId(42).requestId(7);
                if (fromBuffer) {
                    sealer.sealFrom(frame, buffer, AT + FRAGMENTER.writeFragmentHeader(frame, length, index));
                } else {
                    FRAGMENTER.writeFragment(frame, message, AT, length, index);
                    sealer.seal(frame);
                }
            }
        }
        return (allocatedBytes() - before) / rounds;
    }

    @Test
    void sealingFromTheBufferAllocatesNoMoreThanSealingInPlace() throws ReflectiveOperationException {
        long inPlace = allocatedPerDatagram(false);
        long fromBuffer = allocatedPerDatagram(true);
        // the JDK's GCMParameterSpec and per-operation state, alike on both paths; never a payload's worth
        assertTrue(fromBuffer <= inPlace + 64, fromBuffer + " bytes per datagram from the buffer, " + inPlace
                + " sealing in place");
        assertNotEquals(0, inPlace, "the allocation counter is not read");
    }
}

package io.coems.nvsp;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.coems.nvsp.message.MessageType;
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
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Hostile input: arbitrary bytes, truncations and bit flips of valid datagrams never make the
 * codec throw anything but its own exceptions or read outside the datagram (each datagram sits
 * in a segment of exactly its length, so a stray read would raise IndexOutOfBoundsException),
 * and a protected datagram with any bit flipped never opens.
 */
class FuzzTest {
    private static final List<byte[]> VALID = encodeVectors();

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

    @Provide
    Arbitrary<byte[]> validDatagrams() {
        return Arbitraries.of(VALID);
    }

    private void receiveTolerating(byte[] datagram, SecurityMode session) {
        try {
            receiver.receive(datagram, session);
        } catch (NvspException expected) {
            // the codec's own rejection: what hostile input may cause
        }
    }

    @Property(tries = 2000)
    void arbitraryBytes(@ForAll @Size(max = 300) byte[] datagram) {
        receiveTolerating(datagram, Receiver.sessionMode(datagram.length > 1 ? datagram : new byte[2]));
    }

    @Property(tries = 2000)
    void arbitraryBodiesOfEveryType(@ForAll MessageType type, @ForAll @IntRange(max = 200) int blockLength,
            @ForAll @Size(max = 400) byte[] body) {
        byte[] message = new byte[4 + body.length];
        message[0] = (byte) type.code();
        message[1] = (byte) (type.code() >>> 8);
        message[2] = (byte) blockLength;
        System.arraycopy(body, 0, message, 4, body.length);
        try {
            new AnyMessage().describe(MemorySegment.ofArray(message), 0, message.length);
        } catch (NvspException expected) {
            // rejected by the codec
        }
    }

    @Property(tries = 1000)
    void truncations(@ForAll("validDatagrams") byte[] datagram, @ForAll @IntRange(max = 2000) int cut) {
        int length = cut % datagram.length;
        byte[] truncated = Arrays.copyOf(datagram, length);
        assertThrows(NvspException.class, () -> receiver.receive(truncated, Receiver.sessionMode(datagram)));
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
}

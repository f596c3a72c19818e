package io.coems.nvsp.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.coems.nvsp.EncodingException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Message lengths the fragmenter cannot split are encoding errors, never overflows or stray exceptions. */
class FragmenterTest {
    private final Fragmenter fragmenter = new Fragmenter(FrameHeader.DEFAULT_MAX_DATAGRAM, true);

    @Test
    void fragmentCountDoesNotOverflowForHugeMessages() {
        assertThrows(EncodingException.class, () -> fragmenter.fragmentCount(Integer.MAX_VALUE));
        assertThrows(EncodingException.class, () -> fragmenter.fragmentCount(Integer.MAX_VALUE - 1000));
        assertEquals(0xFFFF, fragmenter.fragmentCount(0xFFFF * fragmenter.maxPayload()));
        assertThrows(EncodingException.class, () -> fragmenter.fragmentCount(0xFFFF * fragmenter.maxPayload() + 1));
    }

    @Test
    void negativeLengthsAndIndexesAreEncodingErrors() {
        assertThrows(EncodingException.class, () -> fragmenter.fragmentCount(-1));
        MemorySegment datagram = MemorySegment.ofArray(new byte[FrameHeader.DEFAULT_MAX_DATAGRAM]);
        MemorySegment message = MemorySegment.ofArray(new byte[4000]);
        FrameHeader frame = new FrameHeader().encode(datagram, 0, FrameHeader.DEFAULT_MAX_DATAGRAM);
        assertThrows(EncodingException.class, () -> fragmenter.writeFragment(frame, message, 0, -5, 0));
        assertThrows(EncodingException.class, () -> fragmenter.writeFragment(frame, message, 0, 4000, -1));
        assertThrows(EncodingException.class, () -> fragmenter.writeFragment(frame, message, 0, 4000, 3));
        assertEquals(FrameHeader.LENGTH + 4000 - 2 * fragmenter.maxPayload(),
                fragmenter.writeFragment(frame, message, 0, 4000, 2));
    }

    @Test
    void aFragmentHeaderSaysWhereThePayloadIsAndLeavesTheDatagramPayloadAlone() {
        int length = 2 * fragmenter.maxPayload() + 100;
        byte[] datagram = new byte[FrameHeader.DEFAULT_MAX_DATAGRAM];
        Arrays.fill(datagram, (byte) 0x5A);
        FrameHeader frame = new FrameHeader().encode(MemorySegment.ofArray(datagram), 0, datagram.length);
        for (int index = 0; index < 3; index++) {
            assertEquals(index * fragmenter.maxPayload(), fragmenter.writeFragmentHeader(frame, length, index));
            assertEquals(index, frame.fragmentIndex());
            assertEquals(3, frame.fragmentCount());
            assertEquals(index * fragmenter.maxPayload(), frame.fragmentOffset());
            assertEquals(index < 2 ? fragmenter.maxPayload() : 100, frame.payloadLength());
        }
        for (int i = FrameHeader.LENGTH; i < datagram.length; i++) {
            assertEquals(0x5A, datagram[i], "payload byte " + i + " written");
        }
        assertEquals(0, fragmenter.writeFragmentHeader(frame, 0, 0));
        assertEquals(0, frame.payloadLength());
        assertThrows(EncodingException.class, () -> fragmenter.writeFragmentHeader(frame, length, 3));
        assertThrows(EncodingException.class, () -> fragmenter.writeFragmentHeader(frame, -1, 0));
    }
}

package io.coems.nvsp.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.coems.nvsp.EncodingException;
import java.lang.foreign.MemorySegment;
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
}

package io.coems.nvsp.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.coems.nvsp.EncodingException;
import io.coems.nvsp.MalformedMessageException;
import io.coems.nvsp.Status;
import io.coems.nvsp.UnsupportedVersionException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class FrameHeaderTest {
    private final MemorySegment buffer = MemorySegment.ofArray(new byte[2048]);

    @Property(tries = 300)
    void roundTrips(@ForAll long session, @ForAll long sequence, @ForAll long request,
            @ForAll @LongRange(max = 0xFFFF_FFFFL) long credits, @ForAll @IntRange(min = 1, max = 0xFFFF) int count,
            @ForAll @IntRange(max = 0xFFFE) int index, @ForAll @LongRange(max = 0xFFFF_FFFFL) long fragmentOffset,
            @ForAll @IntRange(max = 1000) int payload, @ForAll @IntRange(max = 500) int at) {
        int fragment = index % count;
        ByteBuffer direct = ByteBuffer.allocateDirect(2048);
        FrameHeader sent = new FrameHeader().encode(direct, at, 2048 - at).sessionId(session).sequence(sequence)
                .requestId(request).credits(credits).fragment(fragment, count, fragmentOffset).payloadLength(payload);
        FrameHeader got = new FrameHeader().wrap(direct, at, sent.frameLength());
        assertEquals(FrameHeader.VERSION, got.version());
        assertEquals(0, got.flags());
        assertEquals(session, got.sessionId());
        assertEquals(sequence, got.sequence());
        assertEquals(request, got.requestId());
        assertEquals(credits, got.credits());
        assertEquals(fragment, got.fragmentIndex());
        assertEquals(count, got.fragmentCount());
        assertEquals(fragmentOffset, got.fragmentOffset());
        assertEquals(payload, got.payloadLength());
        assertEquals(at + FrameHeader.LENGTH, got.payloadOffset());
    }

    private int valid() {
        return new FrameHeader().encode(buffer, 0, 2048).payloadLength(10).frameLength();
    }

    @Test
    void unknownVersionIsUnsupported() {
        int length = valid();
        buffer.set(ValueLayout.JAVA_BYTE, 0, (byte) 2);
        UnsupportedVersionException e = assertThrows(UnsupportedVersionException.class,
                () -> new FrameHeader().wrap(buffer, 0, length));
        assertEquals(2, e.version());
        assertEquals(Status.UNSUPPORTED_VERSION, e.status());
    }

    @Test
    void truncatedHeaderIsMalformed() {
        valid();
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> new FrameHeader().wrap(buffer, 0, 39));
        assertEquals("header", e.field());
    }

    @Test
    void frameLengthBeyondTheDatagramIsMalformed() {
        int length = valid();
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> new FrameHeader().wrap(buffer, 0, length - 1));
        assertEquals("frameLength", e.field());
        assertEquals(2, e.offset());
    }

    @Test
    void authenticatedFrameTooShortForItsTagIsMalformed() {
        new FrameHeader().encode(buffer, 0, 2048).flags(FrameHeader.FLAG_AUTHENTICATED).frameLength(50);
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> new FrameHeader().wrap(buffer, 0, 50));
        assertEquals("frameLength", e.field());
    }

    @Test
    void unknownFlagsAndEncryptionWithoutAuthenticationAreMalformed() {
        int length = valid();
        for (int flags : new int[] {FrameHeader.FLAG_ENCRYPTED, 0x04, 0x80}) {
            buffer.set(ValueLayout.JAVA_BYTE, 1, (byte) flags);
            MalformedMessageException e = assertThrows(MalformedMessageException.class,
                    () -> new FrameHeader().wrap(buffer, 0, length));
            assertEquals("flags", e.field());
        }
    }

    @Test
    void fragmentIndexOutsideTheCountIsMalformed() {
        int length = valid();
        buffer.set(ValueLayout.JAVA_SHORT_UNALIGNED, 4, (short) 1);
        assertEquals("fragmentIndex", assertThrows(MalformedMessageException.class,
                () -> new FrameHeader().wrap(buffer, 0, length)).field());
        buffer.set(ValueLayout.JAVA_INT_UNALIGNED, 4, 0);
        assertEquals("fragmentIndex", assertThrows(MalformedMessageException.class,
                () -> new FrameHeader().wrap(buffer, 0, length)).field());
    }

    @Test
    void encodingChecksRoom() {
        assertThrows(EncodingException.class, () -> new FrameHeader().encode(buffer, 0, 39));
        FrameHeader header = new FrameHeader().encode(buffer, 0, 100);
        assertThrows(EncodingException.class, () -> header.payloadLength(61));
        assertThrows(EncodingException.class, () -> header.fragment(3, 3, 0));
    }
}

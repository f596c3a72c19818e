package io.coems.nvsp.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.coems.nvsp.ChecksumMismatchException;
import io.coems.nvsp.EncodingException;
import io.coems.nvsp.MalformedMessageException;
import io.coems.nvsp.Status;
import io.coems.nvsp.UnsupportedMessageTypeException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Every kind of malformed message is rejected with the exact exception, field and offset. */
class DecodeErrorsTest {
    private final MemorySegment buffer = MemorySegment.ofArray(new byte[4096]);

    private int readRequest() {
        return new BlockRequest().encode(buffer, 0, 4096, MessageType.READ).volumeId(1).length(512).encodedLength();
    }

    @Test
    void unknownTypeIsUnsupportedAndAnsweredWithEnotsup() {
        readRequest();
        buffer.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) 0x0177);
        UnsupportedMessageTypeException e = assertThrows(UnsupportedMessageTypeException.class,
                () -> new MessageHeader().wrap(buffer, 0, 28));
        assertEquals(0x0177, e.typeCode());
        assertEquals(Status.ENOTSUP, e.status());
    }

    @Test
    void truncatedHeaderNamesTheHeader() {
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> new BlockRequest().wrap(buffer, 10, 3));
        assertEquals("header", e.field());
        assertEquals(10, e.offset());
        assertEquals(Status.EINVAL, e.status());
    }

    @Test
    void blockLongerThanTheMessageIsMalformed() {
        int length = readRequest();
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> new BlockRequest().wrap(buffer, 0, length - 1));
        assertEquals("blockLength", e.field());
    }

    @Test
    void blockShorterThanVersionOneIsMalformed() {
        int length = readRequest();
        buffer.set(ValueLayout.JAVA_BYTE, 2, (byte) 20);
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> new BlockRequest().wrap(buffer, 0, length));
        assertEquals("blockLength", e.field());
        assertEquals(2, e.offset());
    }

    @Test
    void aTypeOfAnotherLayoutIsMalformedForThisFlyweight() {
        int length = readRequest();
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> new WriteRequest().wrap(buffer, 0, length));
        assertEquals("type", e.field());
    }

    @Test
    void dataLongerThanTheMessageIsMalformed() {
        WriteRequest write = new WriteRequest().encode(buffer, 0, 4096, MessageType.WRITE);
        write.data().put(MemorySegment.ofArray(new byte[100]), 0, 100);
        int length = write.encodedLength();
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> new WriteRequest().wrap(buffer, 0, length - 1));
        assertEquals("variableData", e.field());
    }

    @Test
    void alteredDataFailsItsChecksum() {
        WriteRequest write = new WriteRequest().encode(buffer, 0, 4096, MessageType.WRITE);
        write.data().put(MemorySegment.ofArray(new byte[100]), 0, 100);
        buffer.set(ValueLayout.JAVA_BYTE, write.data().dataOffset() + 50, (byte) 1);
        WriteRequest got = new WriteRequest().wrap(buffer, 0, write.encodedLength());
        ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class, () -> got.data().verify());
        assertEquals(Status.EIO, e.status());
    }

    @Test
    void entriesShorterThanVersionOneAreMalformed() {
        BlockStatusResponse response = new BlockStatusResponse()
                .encode(buffer, 0, 4096, MessageType.BLOCK_STATUS_RESPONSE).addExtent(0, 1, 0);
        int length = response.encodedLength();
        buffer.set(ValueLayout.JAVA_BYTE, 8, (byte) 8);
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> new BlockStatusResponse().wrap(buffer, 0, length));
        assertEquals("entryLength", e.field());
    }

    @Test
    void anEntryPastTheCountIsMalformed() {
        BlockStatusResponse response = new BlockStatusResponse()
                .encode(buffer, 0, 4096, MessageType.BLOCK_STATUS_RESPONSE).addExtent(0, 1, 0);
        assertThrows(MalformedMessageException.class, () -> response.extentOffset(1));
    }

    @Test
    void unknownSecurityModeIsMalformed() {
        int length = new Hello().encode(buffer, 0, 4096, MessageType.HELLO).encodedLength();
        Hello hello = new Hello().wrap(buffer, 0, length);
        MalformedMessageException e = assertThrows(MalformedMessageException.class, hello::securityMode);
        assertEquals("securityMode", e.field());
        assertEquals(10, e.offset());
    }

    @Test
    void aRegionOutsideTheSegmentIsRejectedBeforeAnyRead() {
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> new BlockRequest().wrap(buffer, 4000, 200));
        assertEquals("buffer", e.field());
    }

    @Test
    void encodingRejectsValuesOutOfRangeAndMissingRoom() {
        BlockRequest request = new BlockRequest().encode(buffer, 0, 4096, MessageType.READ);
        assertThrows(EncodingException.class, () -> request.length(1L << 32));
        assertThrows(EncodingException.class, () -> request.flags(-1));
        assertThrows(EncodingException.class, () -> new BlockRequest().encode(buffer, 0, 20, MessageType.READ));
        assertThrows(EncodingException.class, () -> new BlockRequest().encode(buffer, 0, 4096, MessageType.WRITE));
        WriteRequest write = new WriteRequest().encode(buffer, 0, 100, MessageType.WRITE);
        assertThrows(EncodingException.class, () -> write.data().put(MemorySegment.ofArray(new byte[65]), 0, 65));
        assertThrows(EncodingException.class, () -> new StatusResponse()
                .encode(buffer, 0, 4096, MessageType.ERROR).status(Status.DROP));
    }

    @Test
    void statusCodesUnknownToThisVersionDecodeAsUnknown() {
        StatusResponse response = new StatusResponse().encode(buffer, 0, 4096, MessageType.ERROR);
        buffer.set(ValueLayout.JAVA_INT_UNALIGNED, 4, 0x1FFF);
        assertEquals(Status.UNKNOWN, response.status());
        assertEquals(0x1FFF, response.statusCode());
    }
}

package io.coems.nvsp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.coems.nvsp.message.BlockRequest;
import io.coems.nvsp.message.MessageType;
import io.coems.nvsp.message.RangeRequest;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class JobTest {
    private static final int MAX_IO = 128 << 10;

    private static long dataBytes(MessageType type, long length, long flags) {
        byte[] message = RawPeer.block(type, 1, 0, length, flags);
        return Job.dataBytes(type, MemorySegment.ofArray(message), 0, message.length, new BlockRequest(), MAX_IO);
    }

    @Test
    void aRequestCostsTheDataItMovesOnceValidated() {
        assertEquals(MAX_IO, dataBytes(MessageType.READ, MAX_IO, 0));
        assertEquals(0, dataBytes(MessageType.READ, 0xFFFF_FFFFL, 0), "a READ refused as too long moves nothing");
        assertEquals(1 << 30, dataBytes(MessageType.WRITE_ZEROES, 1 << 30, RangeRequest.FLAG_NO_HOLE));
        assertEquals(0, dataBytes(MessageType.WRITE_ZEROES, 1 << 30, 0));
        assertEquals(0, dataBytes(MessageType.TRIM, 1 << 30, 0));
        assertEquals(0, dataBytes(MessageType.FLUSH, 0, 0));
        byte[] write = RawPeer.write(1, 0, new byte[4096], 0);
        assertEquals(write.length, Job.dataBytes(MessageType.WRITE, MemorySegment.ofArray(write), 0, write.length,
                new BlockRequest(), MAX_IO));
    }
}

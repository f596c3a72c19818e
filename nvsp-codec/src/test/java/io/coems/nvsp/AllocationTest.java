package io.coems.nvsp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.coems.nvsp.frame.FrameHeader;
import io.coems.nvsp.message.BlockRequest;
import io.coems.nvsp.message.MessageType;
import io.coems.nvsp.message.WriteRequest;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * The unprotected hot path allocates nothing: encoding and decoding a READ and a 1,024-byte
 * WRITE (with its CRC-32C) many times leaves the thread's allocation counter where it was. The
 * counter is read reflectively because the codec module (which the tests are patched into)
 * reads only {@code java.base}, and the tests add no JVM flags.
 */
class AllocationTest {
    private static final int ROUNDS = 20_000;

    private final FrameHeader frame = new FrameHeader();
    private final BlockRequest read = new BlockRequest();
    private final WriteRequest write = new WriteRequest();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(FrameHeader.DEFAULT_MAX_DATAGRAM);
    private final MemorySegment data = MemorySegment.ofArray(new byte[1024]);

    private long roundTrip() {
        int length = read.encode(buffer, FrameHeader.LENGTH, 1300, MessageType.READ).volumeId(3)
                .volumeOffset(1L << 20).length(65536).encodedLength();
        frame.encode(buffer, 0, FrameHeader.DEFAULT_MAX_DATAGRAM).sessionId(7).requestId(1).payloadLength(length);
        frame.wrap(buffer, 0, frame.frameLength());
        long sum = read.wrap(buffer, FrameHeader.LENGTH, frame.payloadLength()).volumeOffset();
        write.encode(buffer, FrameHeader.LENGTH, 1300, MessageType.WRITE).volumeId(3).data().put(data, 0, 1024);
        write.wrap(buffer, FrameHeader.LENGTH, write.encodedLength()).data().verify();
        return sum + write.length();
    }

    private static long allocatedBytes() throws ReflectiveOperationException {
        Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                .invoke(null);
        Method allocated = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        return (long) allocated.invoke(threads);
    }

    @Test
    void encodingAndDecodingAllocateNothing() throws ReflectiveOperationException {
        long sum = 0;
        for (int i = 0; i < ROUNDS; i++) {
            sum += roundTrip();
        }
        long before = allocatedBytes();
        for (int i = 0; i < ROUNDS; i++) {
            sum += roundTrip();
        }
        long allocated = allocatedBytes() - before;
        assertEquals(2L * ROUNDS * ((1L << 20) + 1024), sum);
        assertEquals(0, allocated / ROUNDS, "bytes allocated per round trip");
    }
}

package io.coems.nvsp.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatagramBatchTest {
    private static final InetSocketAddress A = new InetSocketAddress("127.0.0.1", 1000);
    private static final InetSocketAddress B = new InetSocketAddress("127.0.0.1", 2000);

    /** One send call: its length, segment size, peer and first byte. */
    record Sent(int length, int segmentSize, InetSocketAddress to, byte first) {
    }

    /**
     * Records sends; refuses the first {@code full} of them as a full socket buffer would, and
     * takes at most {@code accept} bytes per call (whole datagrams) when not negative.
     */
    static final class RecordingPort implements DatagramPort {
        final List<Sent> sent = new ArrayList<>();
        int full;
        int accept = -1;

        @Override
        public int send(ByteBuffer batch, int segmentSize, InetSocketAddress to) {
            Ports.checkBatch(batch.remaining(), segmentSize);
            if (full > 0) {
                full--;
                return 0;
            }
            int length = accept < 0 ? batch.remaining() : Math.min(accept, batch.remaining());
            sent.add(new Sent(length, segmentSize, to, batch.get(batch.position())));
            batch.position(batch.position() + length);
            return length;
        }

        @Override
        public boolean batching() {
            return true;
        }

        @Override
        public InetSocketAddress localAddress() {
            return A;
        }

        @Override
        public int receive(ByteBuffer into) {
            return 0;
        }

        @Override
        public InetSocketAddress sender() {
            return null;
        }

        @Override
        public int segmentSize() {
            return 0;
        }

        @Override
        public void await(long timeoutMillis) {
        }

        @Override
        public void wakeup() {
        }

        @Override
        public void close() {
        }
    }

    private static void write(DatagramBatch batch, int offset, int length, int mark) {
        batch.segment().asSlice(offset, length).fill((byte) mark);
    }

    @Test
    void equalDatagramsGoOutTogetherAndAShorterOneEndsTheBatch() throws IOException {
        RecordingPort port = new RecordingPort();
        DatagramBatch batch = new DatagramBatch(port, DatagramPort.MAX_BATCH, 0);
        for (int i = 0; i < 3; i++) {
            int at = batch.reserve(1000, A);
            assertEquals(i * 1000, at);
            write(batch, at, 1000, i + 1);
            assertTrue(batch.add(1000));
        }
        assertEquals(List.of(), port.sent, "nothing goes out while the batch can grow");
        int at = batch.reserve(1000, A);
        write(batch, at, 10, 9);
        assertTrue(batch.add(10));
        assertEquals(List.of(new Sent(3010, 1000, A, (byte) 1)), port.sent);
        assertEquals(0, batch.reserve(1000, A), "empty again");
    }

    @Test
    void anotherPeerOrSizeSendsWhatWasGatheredFirst() throws IOException {
        RecordingPort port = new RecordingPort();
        DatagramBatch batch = new DatagramBatch(port, DatagramPort.MAX_BATCH, 0);
        batch.add(sized(batch, 500, A, 1));
        batch.add(sized(batch, 500, B, 2));
        batch.add(sized(batch, 600, B, 3));
        assertTrue(batch.flush());
        assertTrue(batch.flush(), "an empty batch sends nothing");
        assertEquals(List.of(new Sent(500, 500, A, (byte) 1), new Sent(500, 500, B, (byte) 2),
                new Sent(600, 600, B, (byte) 3)), port.sent);
    }

    private static int sized(DatagramBatch batch, int size, InetSocketAddress to, int mark) throws IOException {
        int at = batch.reserve(size, to);
        write(batch, at, size, mark);
        return size;
    }

    @Test
    void aBatchStopsAtTheLimitsOfOneSend() throws IOException {
        RecordingPort port = new RecordingPort();
        DatagramBatch batch = new DatagramBatch(port, DatagramPort.MAX_BATCH, 0);
        for (int i = 0; i < 47; i++) {
            batch.add(sized(batch, 1408, null, i));
        }
        for (int i = 0; i < 65; i++) {
            batch.add(sized(batch, 100, null, i));
        }
        batch.flush();
        int perBatch = DatagramPort.MAX_BATCH / 1408;
        assertEquals(List.of(new Sent(perBatch * 1408, 1408, null, (byte) 0),
                new Sent((47 - perBatch) * 1408, 1408, null, (byte) perBatch),
                new Sent(DatagramPort.MAX_SEGMENTS * 100, 100, null, (byte) 0),
                new Sent(100, 100, null, (byte) 64)), port.sent);
    }

    @Test
    void aFullSocketBufferIsWaitedOutThenTheBatchIsGivenUp() throws IOException {
        RecordingPort port = new RecordingPort();
        DatagramBatch patient = new DatagramBatch(port, DatagramPort.MAX_BATCH, 10_000_000_000L);
        port.full = 3;
        patient.add(sized(patient, 100, A, 1));
        assertTrue(patient.flush(), "sent on the fourth try");
        assertEquals(1, port.sent.size());

        DatagramBatch impatient = new DatagramBatch(port, DatagramPort.MAX_BATCH, 0);
        port.full = 1;
        impatient.add(sized(impatient, 100, A, 2));
        assertFalse(impatient.flush(), "one try, refused");
        assertEquals(1, port.sent.size());
        assertEquals(0, impatient.reserve(100, A), "given up: the batch is empty");
    }

    @Test
    void aPartlySentBatchIsRetriedFromWhereItStopped() throws IOException {
        RecordingPort port = new RecordingPort();
        port.accept = 2000;
        DatagramBatch batch = new DatagramBatch(port, DatagramPort.MAX_BATCH, 10_000_000_000L);
        for (int i = 0; i < 5; i++) {
            batch.add(sized(batch, 1000, A, i));
        }
        assertTrue(batch.flush());
        assertEquals(List.of(new Sent(2000, 1000, A, (byte) 0), new Sent(2000, 1000, A, (byte) 2),
                new Sent(1000, 1000, A, (byte) 4)), port.sent);
    }

    @Test
    void aBatchThatReserveSentIntoAFullBufferIsReportedByTheNextFlush() throws IOException {
        RecordingPort port = new RecordingPort();
        DatagramBatch batch = new DatagramBatch(port, DatagramPort.MAX_BATCH, 0);
        batch.add(sized(batch, 1000, A, 1));
        port.full = 1;
        batch.add(sized(batch, 500, A, 2)); // reserve sends the 1000-byte batch: refused
        assertFalse(batch.flush(), "the 1000-byte datagram was lost");
        assertTrue(batch.flush(), "reported once");
        assertEquals(List.of(new Sent(500, 500, A, (byte) 2)), port.sent);
    }

    @Test
    void discardEmptiesTheBatchWithoutSending() throws IOException {
        RecordingPort port = new RecordingPort();
        DatagramBatch batch = new DatagramBatch(port, DatagramPort.MAX_BATCH, 0);
        batch.add(sized(batch, 1000, A, 1));
        batch.discard();
        assertEquals(0, batch.reserve(1000, A));
        assertTrue(batch.flush());
        assertEquals(List.of(), port.sent);
    }

    @Test
    void sizesOutOfRangeAreRefusedNamingTheValue() throws IOException {
        DatagramBatch batch = new DatagramBatch(new RecordingPort(), DatagramPort.MAX_BATCH, 0);
        assertEquals("a datagram size must be 1 to 65507, not 0",
                assertThrows(IllegalArgumentException.class, () -> batch.reserve(0, A)).getMessage());
        assertEquals("a datagram size must be 1 to 65507, not 65508",
                assertThrows(IllegalArgumentException.class, () -> batch.reserve(65_508, A)).getMessage());
        batch.reserve(100, A);
        assertEquals("a datagram of 101 bytes in a batch of 100-byte datagrams",
                assertThrows(IllegalArgumentException.class, () -> batch.add(101)).getMessage());
    }

    @Test
    void aSmallBatchHoldsOneDatagramOfItsCapacity() throws IOException {
        RecordingPort port = new RecordingPort();
        DatagramBatch batch = new DatagramBatch(port, 1408, 0);
        batch.add(sized(batch, 1408, A, 1));
        batch.add(sized(batch, 1408, A, 2));
        assertTrue(batch.flush());
        assertEquals(List.of(new Sent(1408, 1408, A, (byte) 1), new Sent(1408, 1408, A, (byte) 2)), port.sent);
        assertEquals("a datagram size must be 1 to 1408, not 1409",
                assertThrows(IllegalArgumentException.class, () -> batch.reserve(1409, A)).getMessage());
        assertEquals("a batch capacity must be 1 to 65507 bytes, not 0",
                assertThrows(IllegalArgumentException.class, () -> new DatagramBatch(port, 0, 0)).getMessage());
    }
}

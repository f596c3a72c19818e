package io.coems.nvsp.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DatagramPortTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final int BUFFER = 4 << 20;

    /** The two implementations, opened directly so that each is tested whatever the JVM's flags. */
    enum Kind {
        GSO, CHANNEL;

        DatagramPort bind(InetSocketAddress local) throws IOException {
            return this == GSO ? GsoPort.open(local, null, BUFFER) : ChannelPort.open(local, null, BUFFER);
        }

        DatagramPort connect(InetSocketAddress remote) throws IOException {
            return this == GSO ? GsoPort.open(null, remote, BUFFER) : ChannelPort.open(null, remote, BUFFER);
        }
    }

    @Test
    void theBuildGivesThisModuleNativeAccessSoThatTheBatchingPortIsTested() throws IOException {
        assertTrue(Ports.class.getModule().isNativeAccessEnabled(), "surefire's argLine must enable native access");
        try (DatagramPort port = DatagramPort.bind(LOOPBACK, BUFFER)) {
            assertTrue(port.batching(), "on Linux with native access the factory batches");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aBatchArrivesAsItsDatagramsWithTheirBoundaries(Kind kind) throws IOException {
        for (Kind receiverKind : Kind.values()) {
            try (DatagramPort sender = kind.bind(LOOPBACK); DatagramPort receiver = receiverKind.bind(LOOPBACK)) {
                List<byte[]> sent = datagrams(new Random(7), 1408, 46, 700);
                ByteBuffer batch = concatenate(sent);
                assertEquals(batch.remaining(), sender.send(batch, 1408, receiver.localAddress()));
                assertFalse(batch.hasRemaining());
                List<byte[]> got = receiveDatagrams(receiver, sent.size());
                assertEquals(sent.size(), got.size(), kind + " to " + receiverKind);
                for (int i = 0; i < sent.size(); i++) {
                    assertArrayEquals(sent.get(i), got.get(i), "datagram " + i + ", " + kind + " to " + receiverKind);
                }
                assertEquals(sender.localAddress(), receiver.sender());
            }
        }
    }

    @Test
    void aBatchThatOneCallSendsIsReceivedWholeByOneCall() throws IOException {
        try (DatagramPort sender = Kind.GSO.bind(LOOPBACK); DatagramPort receiver = Kind.GSO.bind(LOOPBACK)) {
            List<byte[]> sent = datagrams(new Random(3), 8248, 7, 8000);
            ByteBuffer batch = concatenate(sent);
            int length = batch.remaining();
            sender.send(batch, 8248, receiver.localAddress());
            ByteBuffer into = ByteBuffer.allocate(DatagramPort.RECEIVE_CAPACITY);
            receiver.await(5_000);
            assertEquals(length, receiver.receive(into));
            assertEquals(8248, receiver.segmentSize());
        }
    }

    @Test
    void aBatchTheDestinationMakesFailDoesNotStopSegmentation() throws IOException {
        try (DatagramPort sender = Kind.GSO.bind(LOOPBACK); DatagramPort receiver = Kind.GSO.bind(LOOPBACK)) {
            InetSocketAddress portZero = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            assertThrows(IOException.class, () -> sender.send(ByteBuffer.allocate(2000), 1000, portZero)); // EINVAL
            List<byte[]> sent = datagrams(new Random(5), 1000, 7, 500);
            ByteBuffer batch = concatenate(sent);
            int length = batch.remaining();
            sender.send(batch, 1000, receiver.localAddress());
            ByteBuffer into = ByteBuffer.allocate(DatagramPort.RECEIVE_CAPACITY);
            receiver.await(5_000);
            assertEquals(length, receiver.receive(into), "still one batch, one call");
            assertEquals(1000, receiver.segmentSize());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aConnectedPortReportsThatThePeerRefusedADatagram(Kind kind) throws Exception {
        InetSocketAddress closed;
        try (DatagramChannel gone = DatagramChannel.open()) {
            gone.bind(LOOPBACK);
            closed = (InetSocketAddress) gone.getLocalAddress();
        }
        try (DatagramPort client = kind.connect(closed)) {
            client.send(ByteBuffer.wrap(new byte[] {1}), 1, null);
            ByteBuffer into = ByteBuffer.allocate(DatagramPort.RECEIVE_CAPACITY);
            long deadline = System.nanoTime() + 5_000_000_000L;
            assertThrows(PortUnreachableException.class, () -> {
                while (System.nanoTime() < deadline) {
                    client.await(50);
                    into.clear();
                    client.receive(into);
                }
            });
        }
    }

    @Test
    void aPlainSocketReceivesTheBatchAsOrdinaryDatagrams() throws IOException {
        try (DatagramPort sender = Kind.GSO.bind(LOOPBACK); DatagramChannel plain = DatagramChannel.open()) {
            plain.bind(LOOPBACK);
            List<byte[]> sent = datagrams(new Random(11), 1000, 5, 1);
            sender.send(concatenate(sent), 1000, (InetSocketAddress) plain.getLocalAddress());
            ByteBuffer one = ByteBuffer.allocate(2000);
            for (byte[] expected : sent) {
                one.clear();
                plain.receive(one);
                assertArrayEquals(expected, Arrays.copyOf(one.array(), one.position()));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aConnectedPortSendsToItsPeerAndHearsTheAnswer(Kind kind) throws IOException {
        try (DatagramPort server = kind.bind(LOOPBACK); DatagramPort client = kind.connect(server.localAddress())) {
            client.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), 3, null);
            ByteBuffer into = ByteBuffer.allocate(DatagramPort.RECEIVE_CAPACITY);
            server.await(5_000);
            assertEquals(3, server.receive(into));
            assertEquals(client.localAddress(), server.sender());
            server.send(ByteBuffer.wrap(new byte[] {9}), 1, server.sender());
            into.clear();
            client.await(5_000);
            assertEquals(1, client.receive(into));
            assertEquals(9, into.get(0));
        }
    }

    @Test
    void anIpv6PortHearsIpv4PeersAsIpv4Addresses() throws IOException {
        try (DatagramPort dualStack = Kind.GSO.bind(new InetSocketAddress("::", 0));
                DatagramPort v4 = Kind.GSO.bind(LOOPBACK)) {
            InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    dualStack.localAddress().getPort());
            v4.send(ByteBuffer.wrap(new byte[] {5}), 1, target);
            ByteBuffer into = ByteBuffer.allocate(DatagramPort.RECEIVE_CAPACITY);
            dualStack.await(5_000);
            assertEquals(1, dualStack.receive(into));
            assertInstanceOf(Inet4Address.class, dualStack.sender().getAddress());
            assertEquals(v4.localAddress(), dualStack.sender());
            dualStack.send(ByteBuffer.wrap(new byte[] {6}), 1, dualStack.sender());
            into.clear();
            v4.await(5_000);
            assertEquals(1, v4.receive(into));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void wakeupAndCloseEndAWait(Kind kind) throws Exception {
        DatagramPort port = kind.bind(LOOPBACK);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            port.wakeup();
            port.await(60_000); // returns at once: the wake-up came first
            CountDownLatch waiting = new CountDownLatch(1);
            Thread waiter = Thread.ofPlatform().start(() -> {
                try {
                    waiting.countDown();
                    port.await(60_000);
                    port.await(60_000);
                } catch (IOException e) {
                    // closed: what the test waits for
                }
            });
            waiting.await();
            Thread.sleep(50);
            port.close();
            waiter.join();
        });
        assertThrows(ClosedChannelException.class, () -> port.receive(ByteBuffer.allocate(DatagramPort.RECEIVE_CAPACITY)));
        assertThrows(ClosedChannelException.class, () -> port.send(ByteBuffer.wrap(new byte[1]), 1, LOOPBACK));
        assertThrows(ClosedChannelException.class, () -> port.await(1));
        port.close();
        port.wakeup();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void closingAPortReleasesItsDescriptorsEvenWhileAnotherThreadWaits(Kind kind) throws Exception {
        long before = openDescriptors();
        for (int i = 0; i < 20; i++) {
            DatagramPort server = kind.bind(LOOPBACK);
            DatagramPort client = kind.connect(server.localAddress());
            client.send(ByteBuffer.wrap(new byte[] {1, 2}), 1, null);
            Thread waiter = Thread.ofPlatform().start(() -> {
                try {
                    server.await(60_000);
                    server.await(60_000);
                } catch (IOException e) {
                    // closed under it
                }
            });
            client.close();
            server.close();
            waiter.join(10_000);
            assertFalse(waiter.isAlive(), "close ended the wait");
        }
        assertEquals(before, openDescriptors(), "every socket, eventfd and selector closed");
    }

    private static long openDescriptors() throws IOException {
        try (var entries = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return entries.count();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void bindingAPortInUseFailsWithABindException(Kind kind) throws IOException {
        try (DatagramPort first = kind.bind(LOOPBACK)) {
            BindException e = assertThrows(BindException.class, () -> kind.bind(first.localAddress()));
            if (kind == Kind.GSO) {
                assertEquals("address already in use (errno 98)", e.getMessage());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void nothingWaitingIsZero(Kind kind) throws IOException {
        try (DatagramPort port = kind.bind(LOOPBACK)) {
            assertEquals(0, port.receive(ByteBuffer.allocate(DatagramPort.RECEIVE_CAPACITY)));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void batchesOutOfRangeAreRefusedNamingTheValue(Kind kind) throws IOException {
        try (DatagramPort port = kind.bind(LOOPBACK)) {
            InetSocketAddress to = port.localAddress();
            assertEquals("a segment size must be at least 1, not 0",
                    assertThrows(IllegalArgumentException.class, () -> port.send(ByteBuffer.allocate(10), 0, to))
                            .getMessage());
            assertEquals("a batch holds 1 to 65507 bytes, not 65508",
                    assertThrows(IllegalArgumentException.class, () -> port.send(ByteBuffer.allocate(65_508), 9000, to))
                            .getMessage());
            assertEquals("a batch holds 1 to 65507 bytes, not 0",
                    assertThrows(IllegalArgumentException.class, () -> port.send(ByteBuffer.allocate(0), 1, to))
                            .getMessage());
            assertEquals("a batch of 6500 bytes in 100-byte datagrams exceeds 64 datagrams",
                    assertThrows(IllegalArgumentException.class, () -> port.send(ByteBuffer.allocate(6500), 100, to))
                            .getMessage());
            assertEquals("a receive buffer needs 65536 bytes, not 65535",
                    assertThrows(IllegalArgumentException.class, () -> port.receive(ByteBuffer.allocate(65_535)))
                            .getMessage());
        }
    }

    private static List<byte[]> datagrams(Random random, int size, int count, int lastSize) {
        List<byte[]> datagrams = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] datagram = new byte[i == count - 1 ? lastSize : size];
            random.nextBytes(datagram);
            datagrams.add(datagram);
        }
        return datagrams;
    }

    private static ByteBuffer concatenate(List<byte[]> datagrams) {
        ByteBuffer batch = ByteBuffer.allocate(datagrams.stream().mapToInt(d -> d.length).sum());
        datagrams.forEach(batch::put);
        return batch.flip();
    }

    /** Receives until {@code count} datagrams came, splitting each batch at its segment size. */
    private static List<byte[]> receiveDatagrams(DatagramPort port, int count) throws IOException {
        List<byte[]> datagrams = new ArrayList<>();
        ByteBuffer into = ByteBuffer.allocate(DatagramPort.RECEIVE_CAPACITY);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (datagrams.size() < count && System.nanoTime() < deadline) {
            into.clear();
            int length = port.receive(into);
            if (length == 0) {
                port.await(100);
                continue;
            }
            int segment = port.segmentSize();
            for (int at = 0; at < length; at += segment) {
                datagrams.add(Arrays.copyOfRange(into.array(), at, Math.min(length, at + segment)));
            }
        }
        return datagrams;
    }
}

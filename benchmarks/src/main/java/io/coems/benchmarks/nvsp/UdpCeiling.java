package io.coems.benchmarks.nvsp;

import io.coems.nvsp.transport.DatagramPort;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The ceiling of NVSP's read path on this machine: what is left of sequential reads over
 * loopback with 8 KiB fragments once every protocol step is taken away (issue 7's target is
 * 2 GB/s there). Sender threads (the server's workers) copy data out of an off-heap source into
 * batches of 8,248-byte datagrams (40-byte header, 8 KiB of payload, 16-byte tag; seven to a
 * batch, what one GSO send takes), seal each with AES-256-GCM (the header as associated data, a
 * fresh nonce per datagram) and send a batch in one UDP GSO {@code sendmsg}; one receiving
 * thread (the client's) takes each batch in one GRO {@code recvmsg}, opens every datagram into a
 * plaintext array and copies the payload into an off-heap destination. No requests, credits,
 * reassembly, checksums or replies: the senders keep at most {@code window} bytes ahead of the
 * receiver through a shared counter instead. With {@code plain} the sealing and opening are left
 * out, so the two runs split the ceiling into UDP and AES-GCM.
 *
 * <p>Run with {@code --enable-native-access=ALL-UNNAMED} (without it the port falls back to
 * one datagram per call):
 * {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar io.coems.benchmarks.nvsp.UdpCeiling
 * [seconds] [senders] [sealed|plain] [window]}. Prints the payload rate received, the process's
 * CPU time per second and per gigabyte.
 */
public final class UdpCeiling {
    private static final int HEADER = 40;
    private static final int TAG = 16;
    private static final int PAYLOAD = 8192;
    private static final int DATAGRAM = HEADER + PAYLOAD + TAG;
    /** As many datagrams as one GSO send takes (65,507 bytes at most). */
    private static final int PER_BATCH = DatagramPort.MAX_BATCH / DATAGRAM;
    private static final int NONCE = 12;
    private static final long SOURCE_BYTES = 64L << 20;
    /** Pauses of 10 µs after which a sender takes the bytes ahead of the receiver for lost. */
    private static final int STALL_LIMIT = 5_000;

    private final boolean sealed;
    private final long window;
    private final SecretKey key = new SecretKeySpec(new byte[32], "AES");
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private volatile boolean running = true;

    private UdpCeiling(boolean sealed, long window) {
        this.sealed = sealed;
        this.window = window;
    }

    /**
     * Runs the ceiling measurement.
     *
     * @param args seconds to measure (after as many of warm-up), sender threads, sealed or plain,
     *     window in bytes
     * @throws Exception if a socket or the cipher fails
     */
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int senders = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        boolean sealed = args.length <= 2 || !args[2].equals("plain");
        long window = args.length > 3 ? Long.parseLong(args[3]) : 1L << 20;
        new UdpCeiling(sealed, window).run(seconds, senders);
    }

    private void run(int seconds, int senders) throws Exception {
        try (DatagramPort in = DatagramPort.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4 << 20)) {
            InetSocketAddress to = in.localAddress();
            List<Thread> threads = new ArrayList<>();
            threads.add(Thread.ofPlatform().name("ceiling-receive").start(() -> receive(in)));
            for (int i = 0; i < senders; i++) {
                threads.add(Thread.ofPlatform().name("ceiling-send-" + i).start(() -> send(to)));
            }
            Thread.sleep(seconds * 1000L);
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long bytes0 = received.get();
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            long bytes = received.get() - bytes0;
            long cpu = os.getProcessCpuTime() - cpu0;
            double elapsed = (System.nanoTime() - t0) / 1e9;
            running = false;
            in.wakeup();
            for (Thread t : threads) {
                t.join();
            }
            double gbPerSecond = bytes / elapsed / 1e9;
            double cores = cpu / 1e9 / elapsed;
            System.out.printf("%s, %d sender(s), window %d KiB, batched %b: %.3f GB/s of payload, %.2f cores, %.2f core-seconds per GB, %d loss(es)%n",
                    sealed ? "sealed" : "plain", senders, window >> 10, in.batching(), gbPerSecond, cores,
                    cores / gbPerSecond, lost.get());
        }
    }

    private void send(InetSocketAddress to) {
        try (Arena arena = Arena.ofConfined(); DatagramPort out = DatagramPort.bind(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4 << 20)) {
            MemorySegment source = arena.allocate(SOURCE_BYTES);
            source.fill((byte) 7);
            byte[] batch = new byte[DATAGRAM * PER_BATCH];
            MemorySegment batchSegment = MemorySegment.ofArray(batch);
            ByteBuffer buffer = ByteBuffer.wrap(batch);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            byte[] nonce = new byte[NONCE];
            long counter = Thread.currentThread().threadId() << 40;
            long position = 0;
            int stalls = 0;
            while (running) {
                if (sent.get() - received.get() >= window) {
                    if (++stalls == STALL_LIMIT) { // datagrams were lost: stop waiting for them
                        sent.set(received.get());
                        lost.incrementAndGet();
                    }
                    LockSupport.parkNanos(10_000);
                    continue;
                }
                stalls = 0;
                for (int d = 0; d < PER_BATCH; d++) {
                    int at = d * DATAGRAM;
                    batchSegment.set(ValueLayout.JAVA_LONG_UNALIGNED, at, ++counter);
                    MemorySegment.copy(source, position, batchSegment, at + HEADER, PAYLOAD);
                    position = (position + PAYLOAD) % SOURCE_BYTES;
                    if (sealed) {
                        System.arraycopy(batch, at, nonce, 0, NONCE);
                        cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG * 8, nonce));
                        cipher.updateAAD(batch, at, HEADER);
                        cipher.doFinal(batch, at + HEADER, PAYLOAD, batch, at + HEADER);
                    }
                }
                sent.addAndGet((long) PAYLOAD * PER_BATCH);
                buffer.clear();
                while (buffer.hasRemaining() && running) {
                    if (out.send(buffer, DATAGRAM, to) == 0) {
                        LockSupport.parkNanos(10_000);
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void receive(DatagramPort in) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment destination = arena.allocate(1 << 20);
            byte[] batch = new byte[DatagramPort.RECEIVE_CAPACITY];
            ByteBuffer buffer = ByteBuffer.wrap(batch);
            byte[] plain = new byte[PAYLOAD];
            MemorySegment plainSegment = MemorySegment.ofArray(plain);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            long position = 0;
            while (running) {
                buffer.clear();
                int length = in.receive(buffer);
                if (length == 0) {
                    in.await(10);
                    continue;
                }
                int size = in.segmentSize();
                for (int at = 0; at < length; at += size) {
                    int payload = Math.min(size, length - at) - HEADER - TAG;
                    if (sealed) {
                        open(cipher, batch, at, payload, plain);
                        MemorySegment.copy(plainSegment, 0, destination, position, payload);
                    } else {
                        MemorySegment.copy(batch, at + HEADER, destination, ValueLayout.JAVA_BYTE, position, payload);
                    }
                    position = (position + PAYLOAD) % destination.byteSize();
                    received.addAndGet(payload);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void open(Cipher cipher, byte[] batch, int at, int payload, byte[] plain) throws GeneralSecurityException {
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG * 8, batch, at, NONCE));
        cipher.updateAAD(batch, at, HEADER);
        cipher.doFinal(batch, at + HEADER, payload + TAG, plain, 0);
    }
}

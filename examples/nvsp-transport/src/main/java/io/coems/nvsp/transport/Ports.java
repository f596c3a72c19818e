package io.coems.nvsp.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses a port: the batching {@link GsoPort} on Linux when this module has native access (an
 * executable JAR's {@code Enable-Native-Access} manifest entry or
 * {@code --enable-native-access}) and the system property {@value #PROPERTY} is not
 * {@code false}; the {@link ChannelPort} otherwise, so that the library never makes the JDK warn
 * about native access.
 */
final class Ports {
    /** System property: {@code false} keeps every port on a DatagramChannel. */
    static final String PROPERTY = "coems.nvsp.batching";

    private static final Logger LOG = LoggerFactory.getLogger(Ports.class);
    private static volatile boolean batchingFailed;

    private Ports() {
    }

    static DatagramPort open(InetSocketAddress local, InetSocketAddress remote, int bufferBytes) throws IOException {
        if (batchingPossible()) {
            try {
                return GsoPort.open(local, remote, bufferBytes);
            } catch (UnsupportedOperationException | LinkageError e) {
                batchingFailed = true;
                LOG.info("UDP batching is not available, datagrams go one by one: {}", e.getMessage());
            }
        }
        return ChannelPort.open(local, remote, bufferBytes);
    }

    /** Tells whether a port opened now would try to batch. */
    static boolean batchingPossible() {
        return !batchingFailed && !"false".equals(System.getProperty(PROPERTY))
                && Ports.class.getModule().isNativeAccessEnabled() && linux64();
    }

    /** The structures {@link LinuxUdp} draws are those of 64-bit Linux on x86 and ARM. */
    private static boolean linux64() {
        String arch = System.getProperty("os.arch", "");
        return System.getProperty("os.name", "").equalsIgnoreCase("linux")
                && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"));
    }

    /**
     * Checks a batch against the limits of {@link DatagramPort#send}.
     *
     * @throws IllegalArgumentException naming the value out of range
     */
    static void checkBatch(int length, int segmentSize) {
        if (segmentSize < 1) {
            throw new IllegalArgumentException("a segment size must be at least 1, not " + segmentSize);
        }
        if (length < 1 || length > DatagramPort.MAX_BATCH) {
            throw new IllegalArgumentException(
                    "a batch holds 1 to " + DatagramPort.MAX_BATCH + " bytes, not " + length);
        }
        if (Math.ceilDiv(length, segmentSize) > DatagramPort.MAX_SEGMENTS) {
            throw new IllegalArgumentException("a batch of " + length + " bytes in " + segmentSize
                    + "-byte datagrams exceeds " + DatagramPort.MAX_SEGMENTS + " datagrams");
        }
    }
}

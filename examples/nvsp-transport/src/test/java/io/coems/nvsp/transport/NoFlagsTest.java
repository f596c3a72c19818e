package io.coems.nvsp.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A consumer's JVM started with no flags gets the channel, works, and sees no warning about
 * native access: the factory checks for access before it touches a restricted method.
 */
class NoFlagsTest {
    @Test
    void withoutNativeAccessTheFactoryUsesTheChannelAndTheJdkPrintsNothing() throws Exception {
        String classPath = String.join(File.pathSeparator, Stream.of(DatagramPort.class, NoFlagsTest.class,
                LoggerFactory.class).map(NoFlagsTest::location).toList()) + File.pathSeparator + moduleLocation("org.slf4j.simple");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, NoFlagsTest.class.getName()).start();
        assertEquals(true, child.waitFor(60, TimeUnit.SECONDS), "the child JVM finished");
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals("batching=false echoed=42\n", out, err);
        assertEquals("", err);
        assertEquals(0, child.exitValue());
    }

    /** The child: opens two ports the public way and sends a datagram between them. */
    public static void main(String[] args) throws IOException {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (DatagramPort a = DatagramPort.bind(loopback, 1 << 20); DatagramPort b = DatagramPort.bind(loopback, 1 << 20)) {
            a.send(ByteBuffer.wrap(new byte[] {42}), 1, b.localAddress());
            ByteBuffer into = ByteBuffer.allocate(DatagramPort.RECEIVE_CAPACITY);
            b.await(5_000);
            b.receive(into);
            System.out.print("batching=" + (a.batching() || b.batching()) + " echoed=" + into.get(0) + "\n");
        }
    }

    private static String moduleLocation(String name) {
        return Path.of(ModuleLayer.boot().configuration().findModule(name).orElseThrow().reference().location()
                .orElseThrow()).toString();
    }

    private static String location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}

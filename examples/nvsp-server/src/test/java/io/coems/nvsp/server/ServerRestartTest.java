package io.coems.nvsp.server;

import io.coems.nvsp.client.ClientOptions;
import io.coems.nvsp.client.NvspClient;
import io.coems.nvsp.client.RemoteVolume;
import io.coems.vvm.VolumePool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server that stops and comes back on the same port: gracefully, with its pool closed and
 * opened again in between, or killed with SIGKILL (by PID) as a child process. Either way the
 * client re-handshakes on its own and continues, the pool opens clean, and what the client wrote
 * before is there: everything it was answered after a graceful stop, what it flushed after a
 * kill.
 */
class ServerRestartTest {
    private static final int CHUNK = 192 << 10;
    private static final Pattern SERVING = Pattern.compile("serving .* on nvsp://127\\.0\\.0\\.1:(\\d+)/");

    @Test
    void clientsReHandshakeAndContinueAfterAGracefulRestart(@TempDir Path dir) throws Exception {
        NvspFixture.Member pc = keyedClient(dir);
        NvspServer server = NvspServer.builder(VolumePool.open(dir, NvspFixture.OPTIONS)).port(0)
                .closePoolOnClose(true).build().start();
        int port = server.address().getPort();
        try (NvspClient client = connect(server.address(), pc)) {
            RemoteVolume disk = client.volume(pc.volumeId());
            disk.write(0, chunk(1), 0, CHUNK);
            disk.flush();
            disk.write(CHUNK, chunk(2), 0, CHUNK);

            server.close();
            server = NvspServer.builder(VolumePool.open(dir, NvspFixture.OPTIONS)).port(port)
                    .closePoolOnClose(true).build().start();

            disk.write(2 * CHUNK, chunk(3), 0, CHUNK);
            for (int i = 0; i < 3; i++) {
                byte[] read = new byte[CHUNK];
                disk.read((long) i * CHUNK, read, 0, CHUNK);
                assertArrayEquals(chunk(i + 1), read, "chunk " + i + " after the restart");
            }
            assertTrue(client.stats().rehandshakes() >= 1, "the client made a new session: " + client.stats());
        } finally {
            server.close();
        }
        try (VolumePool pool = VolumePool.open(dir, NvspFixture.OPTIONS)) {
            byte[] all = new byte[3 * CHUNK];
            pool.volume(pc.volumeId()).read(0, MemorySegment.ofArray(all));
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(chunk(i + 1), Arrays.copyOfRange(all, i * CHUNK, (i + 1) * CHUNK),
                        "chunk " + i + " on disk");
            }
        }
    }

    @Test
    void aKilledServerComesBackAndFlushedWritesSurvive(@TempDir Path dir) throws Exception {
        NvspFixture.Member pc = keyedClient(dir);
        Server first = Server.start(dir, 0);
        Server second = null;
        try (NvspClient client = connect(first.address(), pc)) {
            RemoteVolume disk = client.volume(pc.volumeId());
            disk.write(0, chunk(1), 0, CHUNK);
            disk.flush();
            disk.write(CHUNK, chunk(2), 0, CHUNK); // acknowledged, not flushed: may or may not survive

            first.kill();
            second = Server.start(dir, first.port);

            disk.write(2 * CHUNK, chunk(3), 0, CHUNK);
            byte[] read = new byte[CHUNK];
            disk.read(0, read, 0, CHUNK);
            assertArrayEquals(chunk(1), read, "the flushed chunk, read through the new server");
            disk.read(2 * CHUNK, read, 0, CHUNK);
            assertArrayEquals(chunk(3), read, "the chunk written after the restart");
            assertTrue(client.stats().rehandshakes() >= 1, "a new session: " + client.stats());
        } finally {
            first.kill();
            if (second != null) {
                assertEquals(0, second.stop(), "a graceful stop exits 0");
            }
        }
        try (VolumePool pool = VolumePool.open(dir, NvspFixture.OPTIONS)) {
            assertEquals(List.of(), pool.check(), "the pool is consistent after the kill");
            byte[] all = new byte[3 * CHUNK];
            pool.volume(pc.volumeId()).read(0, MemorySegment.ofArray(all));
            assertArrayEquals(chunk(1), Arrays.copyOfRange(all, 0, CHUNK));
            assertArrayEquals(chunk(3), Arrays.copyOfRange(all, 2 * CHUNK, 3 * CHUNK));
        }
    }

    /** An {@link NvspMain} in a child JVM, serving {@code dir} on loopback. */
    private record Server(Process process, int port) {
        static Server start(Path dir, int port) throws IOException {
            Process p = new ProcessBuilder(javaCommand(), "-cp", classPath(), NvspMain.class.getName(),
                    "--pool", dir.toString(), "--port", Integer.toString(port))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = out.readLine()) != null; ) {
                Matcher m = SERVING.matcher(line);
                if (m.find()) {
                    return new Server(p, Integer.parseInt(m.group(1)));
                }
            }
            p.destroyForcibly();
            throw new IOException("NvspMain ended without serving; exit " + p.onExit().join().exitValue());
        }

        InetSocketAddress address() {
            return new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port);
        }

        /** SIGKILL by PID, and wait for the process to be gone. */
        void kill() throws InterruptedException {
            if (process.isAlive()) {
                ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroyForcibly);
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }

        /** Ends standard input, which stops the server gracefully; returns the exit status. */
        int stop() throws IOException, InterruptedException {
            process.getOutputStream().close();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return -1;
            }
            return process.exitValue();
        }
    }

    private static String javaCommand() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** This JVM's module path and class path, as one class path for the child. */
    private static String classPath() {
        return Stream.of("jdk.module.path", "java.class.path")
                .map(System::getProperty)
                .filter(Objects::nonNull)
                .flatMap(p -> Arrays.stream(p.split(File.pathSeparator)))
                .filter(e -> !e.isBlank())
                .distinct()
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** A pool in {@code dir}, closed, holding client "pc" with a key and an 8 MiB volume. */
    private static NvspFixture.Member keyedClient(Path dir) {
        try (NvspFixture f = new NvspFixture(dir, b -> b)) {
            return f.member("pc", 8L << 20, false);
        }
    }

    private static NvspClient connect(InetSocketAddress server, NvspFixture.Member pc) {
        return NvspClient.connect(ClientOptions.builder(server, pc.id(), pc.key())
                .requestTimeout(Duration.ofSeconds(60)).build());
    }

    private static byte[] chunk(int n) {
        byte[] b = new byte[CHUNK];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (n * 31 + i % 251);
        }
        return b;
    }
}

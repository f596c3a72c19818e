package io.coems.nvsp.server;

import io.coems.nvsp.client.ClientOptions;
import io.coems.nvsp.client.NvspClient;
import io.coems.nvsp.client.RemoteVolume;
import io.coems.vvm.VolumePool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server that stops and comes back on the same port, with its pool closed and opened again
 * in between: the client re-handshakes on its own and continues, and what it wrote before
 * (flushed, and acknowledged then made durable by the graceful shutdown) is there.
 */
class ServerRestartTest {
    private static final int CHUNK = 192 << 10;

    @Test
    void clientsReHandshakeAndContinueAfterAGracefulRestart(@TempDir Path dir) throws Exception {
        NvspFixture.Member pc;
        try (NvspFixture f = new NvspFixture(dir, b -> b)) {
            pc = f.member("pc", 8L << 20, false);
        }
        long clientId = pc.id();
        long volumeId = pc.volumeId();
        byte[] key = pc.key();
        NvspServer server = NvspServer.builder(VolumePool.open(dir, NvspFixture.OPTIONS)).port(0)
                .closePoolOnClose(true).build().start();
        int port = server.address().getPort();
        try (NvspClient client = NvspClient.connect(ClientOptions.builder(server.address(), clientId, key)
                .requestTimeout(Duration.ofSeconds(30)).build())) {
            RemoteVolume disk = client.volume(volumeId);
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
            pool.volume(volumeId).read(0, java.lang.foreign.MemorySegment.ofArray(all));
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(chunk(i + 1), Arrays.copyOfRange(all, i * CHUNK, (i + 1) * CHUNK),
                        "chunk " + i + " on disk");
            }
        }
    }

    private static byte[] chunk(int n) {
        byte[] b = new byte[CHUNK];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (n * 31 + i % 251);
        }
        return b;
    }
}

package io.coems.cli;

import com.google.gson.JsonObject;
import io.coems.nvsp.client.ClientOptions;
import io.coems.nvsp.client.NvspClient;
import io.coems.nvsp.client.RemoteVolume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code coems client key} and {@code coems serve nvsp} through the real launcher: a client
 * registered by name gets a key in a file, the served pool answers the real NVSP client with
 * that key on the volume assigned to it, and SIGTERM ends serving with exit code 0 and a
 * consistent pool.
 */
class ServeNvspIT {
    @TempDir
    Path dir;

    @Test
    void aKeyedClientReadsAndWritesItsVolumeThroughServeNvsp() throws Exception {
        Launcher coems = new Launcher(dir.resolve("pool"), dir);
        coems.run("pool", "create", "--file-size", "64M", "--max-size", "128M").ok();
        coems.run("volume", "create", "desk", "8M").ok();
        long clientId = coems.run("--json", "client", "register", "pc").ok().json().getAsJsonObject().get("id").getAsLong();
        coems.run("client", "assign", "pc", "desk").ok();
        Path keyFile = dir.resolve("pc.key");
        assertEquals("wrote the key of client pc to " + keyFile + "\n",
                coems.run("client", "key", "pc", "--out", keyFile.toString()).ok().out());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
        byte[] key = HexFormat.of().parseHex(Files.readString(keyFile).strip());
        String printed = coems.run("client", "key", "pc").ok().out().strip();
        assertEquals(64, printed.length(), "a new key, printed in hex: " + printed);
        coems.run("client", "key", "nobody").fails(1, "nobody");
        assertTrue(coems.run("client", "list").ok().out().lines().anyMatch(l -> l.matches("pc +\\S+ +- +- +yes +desk")));
        key = HexFormat.of().parseHex(printed); // the newest key replaced the one in the file

        long volumeId = coems.run("volume", "info", "desk", "--json").ok().json().getAsJsonObject().get("id").getAsLong();
        Process p = new ProcessBuilder(Launcher.COEMS.toString(), "--pool", dir.resolve("pool").toString(), "--json",
                "serve", "nvsp", "--port", "0").redirectError(dir.resolve("serve.err").toFile()).start();
        byte[] data = new byte[200_000];
        Arrays.fill(data, (byte) 0x5a);
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = assertTimeoutPreemptively(Duration.ofSeconds(120), out::readLine,
                    () -> "no output; stderr: " + read(dir.resolve("serve.err")));
            assertTrue(first != null, () -> "stderr: " + read(dir.resolve("serve.err")));
            JsonObject info = com.google.gson.JsonParser.parseString(first).getAsJsonObject();
            int port = info.get("port").getAsInt();
            assertEquals("nvsp://127.0.0.1:" + port, info.get("uri").getAsString());
            assertEquals("batched", info.get("io").getAsString(), "the jar's manifest grants native access");
            JsonObject listed = info.getAsJsonArray("clients").get(0).getAsJsonObject();
            assertEquals("pc", listed.get("name").getAsString());
            assertEquals(List.of("desk"), listed.getAsJsonArray("volumes").asList().stream().map(e -> e.getAsString()).toList());

            try (NvspClient client = NvspClient.connect(ClientOptions.builder(
                    new InetSocketAddress("127.0.0.1", port), clientId, key).requestTimeout(Duration.ofSeconds(30)).build())) {
                RemoteVolume desk = client.volume(volumeId);
                desk.write(4096, data, 0, data.length);
                desk.flush();
                byte[] back = new byte[data.length];
                desk.read(4096, back, 0, back.length);
                assertArrayEquals(data, back);
            }
        } finally {
            p.destroy(); // SIGTERM
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stops on SIGTERM");
        assertEquals(0, p.exitValue(), () -> "stderr: " + read(dir.resolve("serve.err")));
        assertEquals("", read(dir.resolve("serve.err")), "no warning about native access, nothing else");
        assertTrue(coems.run("pool", "check").ok().out().contains("is consistent"), "the pool was closed well");
        Path exported = dir.resolve("desk.img");
        coems.run("volume", "export", "desk", exported.toString()).ok();
        assertArrayEquals(data, Arrays.copyOfRange(Files.readAllBytes(exported), 4096, 4096 + data.length),
                "what the client wrote is in the pool");
        coems.run("serve", "nvsp", "--credits", "0").fails(2, "credits 0");
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}

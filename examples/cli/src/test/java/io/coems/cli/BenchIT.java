package io.coems.cli;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code coems bench} through the real launcher, with small counts. */
class BenchIT {
    @TempDir
    Path dir;

    @Test
    void readsOwnedBlocksAndRemovesItsPool() {
        Path pool = dir.resolve("bench");
        Launcher.Result r = new Launcher(pool, dir).run("bench", "-c", "300", "-s", "64K", "--volume-size", "8M").ok();
        String[] lines = r.out().split("\n");
        assertEquals(3, lines.length, r::toString);
        assertEquals("coems bench owned: a volume of 8 MiB with 8 MiB written, the volume owns the written blocks", lines[0]);
        assertEquals("Sending 300 read requests, 65536 bytes each, 64 in parallel (starting at offset 0, step size 65536)",
                lines[1]);
        assertTrue(lines[2].matches("Run completed in \\d+\\.\\d{3} seconds: \\d+\\.\\d MB/s, \\d+ requests/s"), r::toString);
        assertFalse(Files.exists(pool), "the pool directory it made is gone");
    }

    @Test
    void firstWritesAfterASnapshotAsJsonKeepingThePool() throws IOException {
        Launcher coems = new Launcher(dir.resolve("kept"), dir);
        JsonObject json = coems.run("--json", "bench", "after-snapshot", "-w", "-c", "64", "-s", "4K", "-S", "64K",
                "-o", "1M", "-d", "4", "--flush-interval", "16", "--pattern", "0x5a", "--volume-size", "16M",
                "--data", "8M", "--warmup", "8", "--keep").ok().json().getAsJsonObject();
        assertEquals("after-snapshot", json.get("scenario").getAsString());
        assertEquals("write", json.get("operation").getAsString());
        assertEquals(64, json.get("count").getAsLong());
        assertEquals(4096, json.get("size").getAsLong());
        assertEquals(65536, json.get("step").getAsLong());
        assertEquals(1 << 20, json.get("offset").getAsLong());
        assertEquals(4, json.get("depth").getAsLong());
        assertEquals(16, json.get("flushInterval").getAsLong());
        assertTrue(json.get("drain").getAsBoolean());
        assertEquals(0x5a, json.get("pattern").getAsLong());
        assertEquals(8 << 20, json.get("data").getAsLong());
        assertEquals(64 * 4096, json.get("bytes").getAsLong());
        double seconds = json.get("seconds").getAsDouble();
        assertTrue(seconds > 0, json::toString);
        assertEquals(64 * 4096 / seconds / 1e6, json.get("mbPerSecond").getAsDouble(), 1e-6);
        assertEquals(64 / seconds, json.get("requestsPerSecond").getAsDouble(), 1e-6);

        // The kept pool: the run wrote the pattern at its offsets, the snapshot kept the data.
        Path live = dir.resolve("live.raw");
        Path shared = dir.resolve("shared.raw");
        coems.run("volume", "export", "bench", live.toString()).ok();
        coems.run("volume", "export", "bench@shared", shared.toString()).ok();
        byte[] now = Files.readAllBytes(live);
        byte[] before = Files.readAllBytes(shared);
        for (int block = 0; block < 256; block++) {
            int at = block * 65536;
            byte expected = block >= 16 && block < 16 + 64 ? (byte) 0x5a : block < 128 ? (byte) 0xa5 : 0;
            assertEquals(expected, now[at], "block " + block);
            assertEquals(block < 128 ? (byte) 0xa5 : 0, now[at + 4096], "block " + block + " after the request");
            assertEquals(block < 128 ? (byte) 0xa5 : 0, before[at], "snapshot, block " + block);
        }
        assertTrue(coems.run("volume", "list").ok().out().contains("warmup"));
    }

    @Test
    void readsThroughAClone() {
        JsonObject json = new Launcher(dir.resolve("c"), dir).run("bench", "clone", "--json", "-c", "512", "-s", "64K",
                "-S", "7M", "-d", "1", "--volume-size", "32M").ok().json().getAsJsonObject();
        assertEquals("clone", json.get("scenario").getAsString());
        assertEquals("read", json.get("operation").getAsString());
        assertEquals(7L << 20, json.get("step").getAsLong());
        assertEquals(1, json.get("depth").getAsLong());
    }

    @Test
    void timesSnapshots() {
        Launcher coems = new Launcher(dir.resolve("s"), dir);
        JsonObject json = coems.run("--json", "bench", "snapshot", "--data", "4M", "--volume-size", "8M", "--repeat", "3",
                "--warmup", "1").ok().json().getAsJsonObject();
        assertEquals("snapshot", json.get("scenario").getAsString());
        assertEquals(3, json.get("repeat").getAsLong());
        assertEquals(3, json.getAsJsonArray("samples").size());
        double min = json.get("min").getAsDouble();
        double median = json.get("seconds").getAsDouble();
        assertTrue(min > 0 && min <= median && median <= json.get("max").getAsDouble(), json::toString);
        assertFalse(json.has("operation"), json::toString);

        String text = coems.run("bench", "snapshot", "--data", "1M", "--volume-size", "1M", "--repeat", "2").ok().out();
        assertTrue(text.matches("(?s).*\nTook 2 snapshots: median \\d+\\.\\d{3} ms \\(\\d+\\.\\d{3} to \\d+\\.\\d{3} ms\\)\n"),
                text);
    }

    @Test
    void badKnobsAreUsageErrors() {
        Launcher coems = new Launcher(dir.resolve("bad"), dir);
        coems.run("bench", "-c", "0").fails(2, "request count (-c) 0 is not from 1 to 2147483647", "coems bench --help");
        coems.run("bench", "-c", "many").fails(2, "many");
        coems.run("bench", "-s", "1Q").fails(2, "'1Q' is not a size");
        coems.run("bench", "-s", "128M").fails(2, "request size (-s) 134217728 is not from 1 to 67108864");
        coems.run("bench", "-d", "0").fails(2, "queue depth (-d) 0");
        coems.run("bench", "--flush-interval", "8").fails(2, "a flush interval needs a write run (-w)");
        coems.run("bench", "-w", "--flush-interval", "8").fails(2, "flush interval 8 is smaller than the queue depth 64");
        coems.run("bench", "--pattern", "0x100").fails(2, "pattern 256 is not from 0 to 255");
        coems.run("bench", "--pattern", "red").fails(2, "pattern 'red' is not a byte value");
        coems.run("bench", "-o", "1G").fails(2, "a request of 4096 bytes at offset 1073741824 does not fit");
        coems.run("bench", "--data", "2G").fails(2, "--data 2147483648 is not from 0 to the volume size 1073741824");
        coems.run("bench", "--volume-size", "17T").fails(2, "volume size 18691697672192");
        coems.run("bench", "snapshot", "--repeat", "0").fails(2, "--repeat 0 is below 1");
        coems.run("bench", "cow").fails(2, "no scenario 'cow' (choose from owned, after-snapshot, clone, snapshot)");
        assertFalse(Files.exists(dir.resolve("bad")), "nothing was made");
        new Launcher(null, dir).run("bench").fails(2, "no pool");
    }

    @Test
    void failuresExitOne() throws IOException {
        Path full = Files.createDirectories(dir.resolve("full"));
        Files.writeString(full.resolve("mine.txt"), "keep me");
        new Launcher(full, dir).run("bench", "-c", "1").fails(1, "directory " + full + " is not empty");
        assertEquals("keep me", Files.readString(full.resolve("mine.txt")));

        Path wraps = dir.resolve("wraps");
        new Launcher(wraps, dir).run("bench", "-c", "3", "-s", "64K", "-S", "1000K", "--volume-size", "1M")
                .fails(1, "request 1 at offset 1024000 runs past the end of the volume of 1048576 bytes");
        assertFalse(Files.exists(wraps), "the pool is removed after a failure too");
    }
}

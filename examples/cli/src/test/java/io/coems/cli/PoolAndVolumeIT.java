package io.coems.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code coems pool} and {@code coems volume} through the real launcher, on one small pool. */
class PoolAndVolumeIT {
    @TempDir
    static Path dir;
    static Launcher coems;

    @BeforeAll
    static void createPool() {
        coems = new Launcher(dir.resolve("pool"), dir);
        Launcher.Result r = coems.run("pool", "create", "--file-size", "256M").ok();
        assertTrue(r.out().startsWith("created pool " + dir.resolve("pool")), r::toString);
        assertTrue(r.out().contains("files of 256 MiB"), r::toString);
    }

    @Test
    void poolInfoAndCheck() {
        coems.run("volume", "create", "p-info", "1G").ok();
        Launcher.Result info = coems.run("pool", "info").ok();
        assertTrue(info.out().startsWith("PROPERTY"), info::toString);
        assertTrue(info.out().matches("(?s).*\\ncapacity +[0-9.]+ [KMGT]iB \\(\\d+ bytes\\)\\n.*"), info::toString);

        JsonObject json = coems.run("pool", "info", "--json").ok().json().getAsJsonObject();
        assertTrue(json.get("capacity").getAsLong() >= 200L << 20, json::toString);
        assertEquals(json.get("capacity").getAsLong(), json.get("used").getAsLong() + json.get("free").getAsLong());
        assertTrue(json.get("volumes").getAsLong() >= 1);

        assertTrue(coems.run("pool", "check").ok().out().contains("is consistent"));
        JsonObject check = coems.run("--json", "pool", "check").ok().json().getAsJsonObject();
        assertTrue(check.get("ok").getAsBoolean());
        assertEquals(0, check.getAsJsonArray("problems").size());

        coems.run("pool", "create").fails(1);
    }

    @Test
    void volumeLifecycle() {
        Launcher.Result created = coems.run("volume", "create", "life", "10G").ok();
        assertTrue(created.out().startsWith("created volume life (10 GiB, id "), created::toString);

        JsonObject info = coems.run("volume", "info", "life", "--json").ok().json().getAsJsonObject();
        assertEquals("life", info.get("name").getAsString());
        assertEquals(10L << 30, info.get("size").getAsLong());
        assertEquals(0, info.get("allocated").getAsLong());
        assertTrue(info.get("client").isJsonNull());
        assertTrue(coems.run("volume", "info", "life").ok().out().contains("size         10 GiB (10737418240 bytes)"));

        // The pool grows to 1 TiB (4096 files of 256 MiB): a larger volume is refused.
        coems.run("volume", "resize", "life", "1.5TiB").fails(1, "beyond the pool's capacity of 1099511627776 bytes");
        assertEquals("resized volume life from 10 GiB to 768 GiB\n", coems.run("volume", "resize", "life", "0.75TiB").ok().out());
        coems.run("volume", "resize", "life", "1G").fails(1, "drop data");
        JsonObject shrunk = coems.run("volume", "resize", "life", "512M", "--shrink", "--json").ok().json().getAsJsonObject();
        assertEquals(512L << 20, shrunk.get("size").getAsLong());

        assertEquals("renamed volume life to life-2\n", coems.run("volume", "rename", "life", "life-2").ok().out());
        String table = coems.run("volume", "list").ok().out();
        assertTrue(table.startsWith("NAME "), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("life-2 ") && l.contains("512 MiB") && l.endsWith("rw")), table);
        assertFalse(table.lines().anyMatch(l -> l.startsWith("life ")), table);
        JsonArray list = coems.run("volume", "list", "--json").ok().json().getAsJsonArray();
        assertTrue(list.asList().stream().anyMatch(v -> v.getAsJsonObject().get("name").getAsString().equals("life-2")));

        assertEquals("deleted volume life-2\n", coems.run("volume", "delete", "life-2").ok().out());
        coems.run("volume", "delete", "life-2").fails(1, "life-2");
        coems.run("volume", "info", "life").fails(1, "life");
        coems.run("volume", "create", "", "1G").fails(1, "empty");
        coems.run("volume", "create", "huge", "10 Q").fails(2, "10 Q", "coems volume create --help");
    }

    @Test
    void importAndExportWithProgress() throws IOException {
        byte[] data = new byte[3 << 20];
        new Random(7).nextBytes(data);
        Arrays.fill(data, 1 << 20, 2 << 20, (byte) 0);
        Path image = Files.write(dir.resolve("in.raw"), data);
        coems.run("volume", "create", "io", "8M").ok();

        Launcher.Result imported = coems.run("volume", "import", "io", image.toString(), "--progress");
        assertEquals(0, imported.exit(), imported::toString);
        assertTrue(imported.out().startsWith("imported volume io from " + image + " (3 MiB in "), imported::toString);
        assertTrue(imported.err().contains("import [########################] 100%  3 MiB/3 MiB"), imported::toString);
        assertTrue(imported.err().contains("MiB/s") || imported.err().contains("GiB/s"), imported::toString);

        Path out = dir.resolve("out.raw");
        Launcher.Result exported = coems.run("--json", "--progress", "volume", "export", "io", out.toString()).ok();
        JsonObject json = exported.json().getAsJsonObject();
        assertEquals(8L << 20, json.get("bytes").getAsLong());
        assertEquals("io", json.get("image").getAsString());
        byte[] back = Files.readAllBytes(out);
        assertEquals(8 << 20, back.length);
        assertArrayEquals(data, Arrays.copyOf(back, data.length));

        coems.run("volume", "export", "io", out.toString()).fails(1);
        coems.run("volume", "import", "io", dir.resolve("missing.raw").toString()).fails(1);
        Launcher.Result quiet = coems.run("volume", "import", "io", image.toString()).ok();
        assertTrue(quiet.out().startsWith("imported volume io"), quiet::toString);
    }
}

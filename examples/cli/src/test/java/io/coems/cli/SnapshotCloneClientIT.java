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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code coems snapshot}, {@code clone} and {@code client} through the real launcher, on one small pool. */
class SnapshotCloneClientIT {
    @TempDir
    static Path dir;
    static Launcher coems;
    static Path first;
    static Path second;

    @BeforeAll
    static void createPool() throws IOException {
        coems = new Launcher(dir.resolve("pool"), dir);
        coems.run("pool", "create", "--file-size", "256M").ok();
        byte[] a = new byte[256 << 10];
        Arrays.fill(a, (byte) 1);
        first = Files.write(dir.resolve("a.raw"), a);
        byte[] b = new byte[64 << 10];       // imported over the first 64 KiB block only
        Arrays.fill(b, (byte) 2);
        second = Files.write(dir.resolve("b.raw"), b);
    }

    @Test
    void snapshotsDiffRevertDelete() throws IOException {
        coems.run("volume", "create", "s", "1M").ok();
        coems.run("volume", "import", "s", first.toString()).ok();
        JsonObject s1 = coems.run("--json", "snapshot", "create", "s", "s1").ok().json().getAsJsonObject();
        assertEquals("s@s1", s1.get("ref").getAsString());
        assertTrue(s1.get("parent").isJsonNull());
        coems.run("volume", "import", "s", second.toString()).ok();
        assertTrue(coems.run("snapshot", "create", "s", "s2").ok().out().startsWith("created snapshot s@s2 (id "));
        coems.run("snapshot", "create", "s", "s2").fails(1, "s2");

        String table = coems.run("snapshot", "list", "s").ok().out();
        assertEquals(3, table.lines().count(), table);
        assertTrue(table.lines().toList().get(2).matches("s2 +\\S+ +1 MiB +0 B +\\S+Z +s@s1"), table);
        JsonArray list = coems.run("snapshot", "list", "s", "--json").ok().json().getAsJsonArray();
        assertEquals("s@s1", list.get(1).getAsJsonObject().get("parent").getAsString());

        JsonObject diff = coems.run("snapshot", "diff", "s", "s1", "s2", "--json").ok().json().getAsJsonObject();
        assertEquals(64 << 10, diff.get("bytes").getAsLong());
        JsonObject range = diff.getAsJsonArray("ranges").get(0).getAsJsonObject();
        assertEquals(0, range.get("offset").getAsLong());
        assertEquals(64 << 10, range.get("length").getAsLong());
        String human = coems.run("snapshot", "diff", "s", "s1", "s2").ok().out();
        assertTrue(human.endsWith("1 range, 64 KiB differ between s@s1 and s@s2\n"), human);
        assertEquals("s@s2 and s do not differ\n", coems.run("snapshot", "diff", "s", "s2").ok().out());

        assertEquals("reverted volume s to snapshot s1\n", coems.run("snapshot", "revert", "s", "s1").ok().out());
        Path out = dir.resolve("reverted.raw");
        coems.run("volume", "export", "s", out.toString()).ok();
        assertArrayEquals(Files.readAllBytes(first), Arrays.copyOf(Files.readAllBytes(out), 256 << 10));

        Path snap = dir.resolve("s2.raw");
        assertTrue(coems.run("volume", "export", "s@s2", snap.toString()).ok().out().startsWith("exported snapshot s@s2 to"));
        byte[] expected = Files.readAllBytes(first);
        Arrays.fill(expected, 0, 64 << 10, (byte) 2);
        assertArrayEquals(expected, Arrays.copyOf(Files.readAllBytes(snap), 256 << 10));

        assertTrue(coems.run("snapshot", "delete", "s", "s2").ok().out().startsWith("deleted snapshot s@s2 ("));
        coems.run("snapshot", "delete", "s", "s2").fails(1, "s2");
        coems.run("snapshot", "revert", "s", "nope").fails(1, "nope");
        assertEquals(1, coems.run("snapshot", "list", "s", "--json").ok().json().getAsJsonArray().size());
    }

    @Test
    void clonesAndTheLineageTree() {
        coems.run("volume", "create", "gold", "2G").ok();
        coems.run("volume", "import", "gold", first.toString()).ok();
        coems.run("snapshot", "create", "gold", "installed").ok();
        Launcher.Result cloned = coems.run("clone", "gold@installed", "pc");
        assertEquals("cloned gold@installed as volume pc (2 GiB, id ", cloned.ok().out().substring(0, 46));
        JsonObject second = coems.run("clone", "gold@installed", "pc-2", "--json").ok().json().getAsJsonObject();
        assertEquals("gold@installed", second.get("origin").getAsString());
        assertEquals(2L << 30, second.get("size").getAsLong());
        coems.run("snapshot", "create", "pc", "clean").ok();
        coems.run("snapshot", "create", "gold", "patched").ok();

        String tree = coems.run("snapshot", "list", "gold", "--tree").ok().out();
        String[] lines = tree.split("\n");
        assertTrue(lines[0].startsWith("installed  (2 GiB, "), tree);
        assertTrue(lines[1].startsWith("|-- pc@clean  ("), tree);
        assertTrue(lines[2].startsWith("|   `-- * pc  (live volume, clone)"), tree);
        assertTrue(lines[3].startsWith("|-- patched  ("), tree);
        assertTrue(lines[4].startsWith("|   `-- * gold  (live volume)"), tree);
        assertTrue(lines[5].startsWith("`-- * pc-2  (live volume, clone)"), tree);
        assertEquals("pc was cloned from gold@installed", coems.run("snapshot", "list", "pc", "--tree").ok().out().lines()
                .findFirst().orElseThrow());

        JsonObject json = coems.run("snapshot", "list", "gold", "--tree", "--json").ok().json().getAsJsonObject();
        JsonObject root = json.getAsJsonArray("tree").get(0).getAsJsonObject();
        assertEquals("gold@installed", root.get("ref").getAsString());
        assertEquals(3, root.getAsJsonArray("children").size());
        JsonObject clean = root.getAsJsonArray("children").get(0).getAsJsonObject();
        assertEquals("pc", clean.getAsJsonArray("children").get(0).getAsJsonObject().get("name").getAsString());

        coems.run("clone", "gold", "pc-3").fails(2, "VOLUME@SNAPSHOT");
        coems.run("clone", "gold@missing", "pc-3").fails(1, "missing");
        coems.run("clone", "gold@installed", "pc").fails(1, "pc");
    }

    @Test
    void clientsRegisterAssignRemove() {
        coems.run("volume", "create", "disk", "1G").ok();
        assertTrue(coems.run("client", "register", "pc-01", "--mac", "52:54:00:00:00:01", "--ip", "10.0.0.11").ok().out()
                .startsWith("registered client pc-01 (52:54:00:00:00:01, 10.0.0.11, id "));
        JsonObject c = coems.run("--json", "client", "register", "pc-02", "--mac", "52:54:00:00:00:02", "--ip", "10.0.0.12",
                "--hw", "cpu=4").ok().json().getAsJsonObject();
        assertEquals("4", c.getAsJsonObject("hardware").get("cpu").getAsString());
        coems.run("client", "register", "pc-03", "--mac", "52:54:00:00:00:01", "--ip", "10.0.0.13").fails(1);
        assertTrue(coems.run("client", "register", "pc-03", "--mac", "52:54:00:00:00:03").ok().out()
                .startsWith("registered client pc-03 (52:54:00:00:00:03, -, id "), "the IP may be unknown");
        coems.run("client", "register", "pc-04", "--ip", "300.1.1.1").fails(1, "300.1.1.1");

        assertEquals("assigned volume disk to client pc-01\n", coems.run("client", "assign", "pc-01", "disk").ok().out());
        coems.run("client", "assign", "nobody", "disk").fails(1, "nobody");
        String table = coems.run("client", "list").ok().out();
        assertTrue(table.lines().anyMatch(l -> l.matches("pc-01 +\\S+ +52:54:00:00:00:01 +10\\.0\\.0\\.11 +- +disk")), table);
        assertTrue(table.lines().anyMatch(l -> l.matches("pc-03 +\\S+ +52:54:00:00:00:03 +- +- +-")), table);
        JsonArray clients = coems.run("client", "list", "--json").ok().json().getAsJsonArray();
        assertEquals("disk", clients.get(0).getAsJsonObject().getAsJsonArray("volumes").get(0).getAsString());
        assertEquals("pc-01", coems.run("volume", "info", "disk", "--json").ok().json().getAsJsonObject()
                .get("client").getAsString());

        assertEquals("removed client pc-01\n", coems.run("client", "remove", "pc-01").ok().out());
        coems.run("client", "remove", "pc-01").fails(1, "pc-01");
        coems.run("client", "remove", "pc-03").ok();
        assertTrue(coems.run("volume", "info", "disk", "--json").ok().json().getAsJsonObject().get("client").isJsonNull());
    }
}

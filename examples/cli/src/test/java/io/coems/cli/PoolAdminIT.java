package io.coems.cli;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code coems pool info/scrub/repair/grow/replace-device} and {@code coems serve nbd} through the
 * real launcher, on a directory pool of 64 MiB files up to 192 MiB (NORMAL spaces: scrub has
 * nothing to compare and no member can be rebuilt; the RAID cases are tested on the API).
 */
class PoolAdminIT {
    @TempDir
    static Path dir;
    static Launcher coems;

    @BeforeAll
    static void createPool() {
        coems = new Launcher(dir.resolve("pool"), dir);
        coems.run("pool", "create", "--file-size", "64M", "--max-size", "192M").ok();
        coems.run("volume", "create", "vm", "16M").ok();
        coems.run("snapshot", "create", "vm", "s1").ok();
    }

    @Test
    void infoShowsSpacesDevicesAndHealth() {
        String text = coems.run("pool", "info").ok().out();
        assertTrue(text.lines().anyMatch(l -> l.matches("health +OPTIMAL")), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("SPACE  MODE ")), text);
        assertTrue(text.lines().anyMatch(l -> l.matches(" +0  NORMAL  OPTIMAL .* 0  .*pool-0000\\.coems  ONLINE +100%")),
                text);

        JsonObject json = coems.run("pool", "info", "--json").ok().json().getAsJsonObject();
        assertEquals("OPTIMAL", json.get("health").getAsString());
        JsonObject space = json.getAsJsonArray("spaces").get(0).getAsJsonObject();
        assertEquals("NORMAL", space.get("mode").getAsString());
        JsonObject device = space.getAsJsonArray("devices").get(0).getAsJsonObject();
        assertEquals("ONLINE", device.get("state").getAsString());
        assertTrue(device.get("device").getAsString().endsWith("pool-0000.coems"), device::toString);
    }

    @Test
    void scrubAndRepairRunAndReport() {
        assertTrue(coems.run("pool", "scrub").ok().out().contains("has no redundant space: nothing to compare"));
        // No bar without a redundant space, even when asked for.
        coems.run("pool", "scrub", "--repair", "--progress").ok();
        JsonObject scrub = coems.run("--json", "pool", "scrub", "--repair").ok().json().getAsJsonObject();
        assertTrue(scrub.get("ok").getAsBoolean());
        assertEquals(0, scrub.get("rowsChecked").getAsLong());
        assertEquals(0, scrub.get("redundantSpaces").getAsLong());
        assertEquals(0, scrub.getAsJsonArray("details").size());

        assertTrue(coems.run("pool", "repair").ok().out().endsWith("needed no repair\n"));
        assertEquals(0, coems.run("pool", "repair", "--json").ok().json().getAsJsonObject()
                .getAsJsonArray("fixed").size());
        assertTrue(coems.run("pool", "check").ok().out().contains("is consistent"));
    }

    @Test
    void growAddsAFileUpToTheMaximum() throws Exception {
        Launcher own = new Launcher(dir.resolve("growing"), dir);
        own.run("pool", "create", "--file-size", "64M", "--max-size", "192M").ok();
        String grew = own.run("pool", "grow").ok().out();
        assertTrue(grew.matches("grew pool .*growing from [0-9.]+ MiB to [0-9.]+ MiB \\(2 files\\)\\n"), grew);
        JsonObject json = own.run("pool", "grow", "--json").ok().json().getAsJsonObject();
        assertEquals(3, json.get("files").getAsLong());
        assertTrue(json.get("capacity").getAsLong() > json.get("previousCapacity").getAsLong(), json::toString);
        own.run("pool", "grow").fails(1, "maximum");
        try (var files = Files.list(dir.resolve("growing"))) {
            assertEquals(3, files.count());
        }
        assertEquals(3, own.run("pool", "info", "--json").ok().json().getAsJsonObject().getAsJsonArray("spaces").size());
    }

    @Test
    void preallocateMakesThickFilesThroughTheLauncherWithNoJvmFlag() throws Exception {
        Path pool = dir.resolve("thick");
        Launcher own = new Launcher(pool, dir);
        String created = own.run("pool", "create", "--file-size", "64M", "--max-size", "192M", "--preallocate").ok().out();
        assertTrue(created.matches("created pool .*thick: .* files of 64 MiB \\(preallocated\\) up to 192 MiB\\n"), created);
        assertTrue(diskBytes(pool.resolve("pool-0000.coems")) >= 64L << 20, "the file is allocated");
        own.run("pool", "grow").ok();
        assertTrue(diskBytes(pool.resolve("pool-0001.coems")) >= 64L << 20, "a thick pool stays thick by itself");
        own.run("pool", "grow", "--preallocate").ok();
        assertTrue(diskBytes(pool.resolve("pool-0002.coems")) >= 64L << 20, "grow --preallocate allocates");
        String info = own.run("pool", "info").ok().out();
        assertTrue(info.lines().anyMatch(l -> l.matches("preallocated +true")), info);
    }

    /** The disk space {@code file} takes, from {@code du --block-size=1}. */
    private static long diskBytes(Path file) throws Exception {
        Process du = new ProcessBuilder("du", "--block-size=1", file.toString()).start();
        String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, du.waitFor(), out);
        return Long.parseLong(out.substring(0, out.indexOf('\t')));
    }

    @Test
    void replaceDeviceRefusesASpaceWithoutRedundancyAndBadArguments() {
        Path file = dir.resolve("new.img");
        coems.run("pool", "replace-device", "0", "0", file.toString()).fails(1, "NORMAL", "without redundancy");
        assertFalse(Files.exists(file));
        coems.run("pool", "replace-device", "9", "0", file.toString()).fails(1, "space 9");
        coems.run("pool", "replace-device", "zero", "0", file.toString()).fails(2, "replace-device --help");
        coems.run("pool", "replace-device", "0").fails(2, "NEWFILE");
    }

    @Test
    void serveNbdListsTheExportsAndStopsOnSigterm() throws Exception {
        Process p = new ProcessBuilder(Launcher.COEMS.toString(), "--pool", dir.resolve("pool").toString(), "--json",
                "serve", "nbd", "--port", "0").redirectError(dir.resolve("serve.err").toFile()).start();
        try {
            String first = assertTimeoutPreemptively(Duration.ofSeconds(120), () ->
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine(),
                    () -> "no output; stderr: " + read(dir.resolve("serve.err")));
            assertTrue(first != null, () -> "stderr: " + read(dir.resolve("serve.err")));
            JsonObject info = com.google.gson.JsonParser.parseString(first).getAsJsonObject();
            assertEquals("127.0.0.1", info.get("address").getAsString());
            int port = info.get("port").getAsInt();
            assertTrue(port > 0, first);
            assertEquals("nbd://127.0.0.1:" + port, info.get("uri").getAsString());
            assertEquals(List.of("vm", "vm@s1"), info.getAsJsonArray("exports").asList().stream()
                    .map(e -> e.getAsString()).toList());

            if (nbdinfoInstalled()) {
                Process list = new ProcessBuilder("nbdinfo", "--list", "nbd://127.0.0.1:" + port)
                        .redirectErrorStream(true).start();
                String listed = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(list.waitFor(60, TimeUnit.SECONDS));
                assertEquals(0, list.exitValue(), listed);
                assertTrue(listed.contains("export=\"vm\":") && listed.contains("export=\"vm@s1\":"), listed);
            }
        } finally {
            p.destroy(); // SIGTERM
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stops on SIGTERM");
        assertEquals(0, p.exitValue(), () -> "stderr: " + read(dir.resolve("serve.err")));
        assertEquals("", read(dir.resolve("serve.err")));
        assertTrue(coems.run("pool", "check").ok().out().contains("is consistent"), "the pool was closed well");
        assumeTrue(nbdinfoInstalled(), "nbdinfo is not installed (Debian package libnbd-bin): listed by the server only");
    }

    @Test
    void serveNbdInTextAndItsUsageErrors() throws Exception {
        Process p = new ProcessBuilder(Launcher.COEMS.toString(), "--pool", dir.resolve("pool").toString(),
                "serve", "nbd", "--address", "127.0.0.1", "--port", "0")
                .redirectError(dir.resolve("serve-text.err").toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            List<String> lines = assertTimeoutPreemptively(Duration.ofSeconds(120),
                    () -> List.of(out.readLine(), out.readLine(), out.readLine(), out.readLine()));
            assertTrue(lines.get(0).matches("serving pool .* on nbd://127\\.0\\.0\\.1:\\d+ \\(Ctrl-C or SIGTERM stops\\)"),
                    lines::toString);
            assertTrue(lines.get(1).startsWith("EXPORT"), lines::toString);
            assertTrue(lines.get(2).matches("vm +nbd://127\\.0\\.0\\.1:\\d+/vm"), lines::toString);
            assertTrue(lines.get(3).matches("vm@s1 +nbd://127\\.0\\.0\\.1:\\d+/vm@s1"), lines::toString);
        } finally {
            p.destroy();
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), () -> read(dir.resolve("serve-text.err")));

        coems.run("serve", "nbd", "--port", "70000").fails(2, "70000", "serve nbd --help");
        coems.run("serve").fails(2);
    }

    private static boolean nbdinfoInstalled() {
        try {
            Process p = new ProcessBuilder("nbdinfo", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (java.io.IOException | InterruptedException e) {
            return false;
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}

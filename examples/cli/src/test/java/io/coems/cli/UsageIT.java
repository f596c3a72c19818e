package io.coems.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Help, completion, usage errors and failures through the real launcher. */
class UsageIT {
    @TempDir
    Path dir;

    @Test
    void helpOnEveryLevel() {
        Launcher coems = new Launcher(null, dir);
        List<List<String>> commands = List.of(List.of(), List.of("pool", "create"), List.of("volume"),
                List.of("snapshot", "list"), List.of("clone"), List.of("client", "register"), List.of("bench"));
        for (List<String> command : commands) {
            List<String> args = new ArrayList<>(command);
            args.add("--help");
            Launcher.Result r = coems.raw(Map.of(), args).ok();
            String name = String.join(" ", command);
            assertTrue(r.out().startsWith("Usage: coems" + (name.isEmpty() ? "" : " " + name)), r::toString);
            assertTrue(r.out().contains("--json") && r.out().contains("--pool=DIR"), r::toString);
        }
        Launcher.Result top = coems.raw(Map.of(), List.of("--help")).ok();
        for (String sub : List.of("pool", "volume", "snapshot", "clone", "client", "bench", "completion")) {
            assertTrue(top.out().contains("\n  " + sub + " "), top::toString);
        }
        assertTrue(coems.raw(Map.of(), List.of("help", "volume", "resize")).ok().out().contains("--shrink"));
        assertTrue(coems.raw(Map.of(), List.of("--version")).ok().out().startsWith("coems 0."));
    }

    @Test
    void findsAJdk25WhenJavaHomeAndPathNameAnOlderOne() {
        Path old = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(old.resolve("bin/java")),
                "no JDK 17 here to hide the JDK 25 behind");
        Map<String, String> env = Map.of("JAVA_HOME", old.toString(),
                "PATH", old.resolve("bin") + ":" + System.getenv("PATH"));
        assertTrue(new Launcher(null, dir).raw(env, List.of("--version")).ok().out().startsWith("coems "));
    }

    @Test
    void completionScript() {
        Launcher.Result r = new Launcher(null, dir).raw(Map.of(), List.of("completion")).ok();
        assertTrue(r.out().startsWith("#!/usr/bin/env bash"), r::toString);
        assertTrue(r.out().contains("complete -F _complete_coems") && r.out().contains("snapshot"), r::toString);
    }

    @Test
    void usageErrorsExitTwoWithOneLine() {
        Launcher coems = new Launcher(dir.resolve("pool"), dir);
        coems.raw(Map.of(), List.of()).fails(2, "missing a command");
        coems.raw(Map.of(), List.of("frobnicate")).fails(2, "frobnicate");
        coems.raw(Map.of(), List.of("volume", "list")).fails(2, "--pool DIR", "COEMS_POOL", "'coems volume list --help'");
        coems.run("volume", "create", "v").fails(2, "SIZE");
        coems.run("volume", "create", "v", "1X").fails(2, "'1X' is not a size");
        coems.run("volume", "list", "--colour").fails(2, "--colour");
        coems.run("pool", "create", "--file-size", "lots").fails(2, "lots");
    }

    @Test
    void failuresExitOneWithOneLineAndVerboseAddsTheCauses() {
        Launcher coems = new Launcher(dir.resolve("none"), dir);
        coems.run("volume", "list").fails(1, "holds no COEMS pool");
        Launcher.Result verbose = coems.run("--verbose", "volume", "list");
        assertEquals(1, verbose.exit(), verbose::toString);
        List<String> lines = verbose.err().lines().toList();
        assertTrue(lines.size() >= 2, verbose::toString);
        assertTrue(lines.get(0).startsWith("coems: directory "), verbose::toString);
        assertTrue(lines.get(1).contains("error: io.coems.vvm.Pool"), verbose::toString);
    }

    @Test
    void poolFromTheEnvironment() {
        Path pool = dir.resolve("env-pool");
        Launcher coems = new Launcher(null, dir);
        Map<String, String> env = Map.of("COEMS_POOL", pool.toString());
        coems.raw(env, List.of("pool", "create", "--file-size", "256M", "--max-size", "1T")).ok();
        coems.raw(env, List.of("volume", "create", "from-env", "1G")).ok();
        assertEquals("from-env", coems.raw(env, List.of("--json", "volume", "list")).ok().json().getAsJsonArray().get(0)
                .getAsJsonObject().get("name").getAsString());
    }
}

package io.coems.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Runs the real launcher {@code bin/coems} in a subprocess, as a user's shell would. */
final class Launcher {
    /** The launcher, from the module directory surefire runs in (examples/cli). */
    static final Path COEMS = Path.of("").toAbsolutePath().resolve("../../bin/coems").normalize();
    private static final long TIMEOUT_SECONDS = 120;

    private final Path pool;
    private final Path scratch;

    /** A launcher for the pool in {@code pool} (null: none given), with its output files in {@code scratch}. */
    Launcher(Path pool, Path scratch) {
        this.pool = pool;
        this.scratch = scratch;
    }

    /** What one run gave. */
    record Result(int exit, String out, String err) {
        /** Asserts exit code 0 and an empty standard error; returns this. */
        Result ok() {
            assertEquals(0, exit, this::toString);
            assertEquals("", err, this::toString);
            return this;
        }

        /** Asserts exit code {@code code} and exactly one line on standard error, mentioning {@code words}. */
        Result fails(int code, String... words) {
            assertEquals(code, exit, this::toString);
            assertEquals(1, err.lines().count(), this::toString);
            assertTrue(err.startsWith("coems: "), this::toString);
            for (String w : words) {
                assertTrue(err.contains(w), () -> "no '" + w + "' in " + this);
            }
            return this;
        }

        /** Standard output parsed as JSON. */
        JsonElement json() {
            return JsonParser.parseString(out);
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Runs {@code coems --pool POOL args...}. */
    Result run(String... args) {
        List<String> command = new ArrayList<>();
        if (pool != null) {
            command.add("--pool");
            command.add(pool.toString());
        }
        command.addAll(List.of(args));
        return raw(Map.of(), command);
    }

    /** Runs {@code coems args...} as they are, with {@code env} added to the environment. */
    Result raw(Map<String, String> env, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(COEMS.toString());
        command.addAll(args);
        Process p = null;
        try {
            Path out = Files.createTempFile(scratch, "out", ".txt");
            Path err = Files.createTempFile(scratch, "err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().remove("COEMS_POOL");
            pb.environment().putAll(env);
            p = pb.start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                fail("coems " + args + " ran longer than " + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            if (p != null) {
                ProcessHandle.of(p.pid()).ifPresent(h -> {
                    h.descendants().forEach(ProcessHandle::destroyForcibly);
                    h.destroyForcibly();
                });
            }
        }
    }
}

package io.coems.nbd;

import io.coems.vvm.PoolOptions;
import io.coems.vvm.Snapshot;
import io.coems.vvm.Volume;
import io.coems.vvm.VolumePool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The gateway against real NBD clients from Debian packages (qemu-utils, libnbd-bin, fio) on
 * loopback; each client runs as a process with a timeout and is killed by its PID if it
 * outlives it. Skipped when a binary is missing (.ci/run installs them).
 */
@Timeout(120)
class NbdRealClientTest {
    static final long SIZE = 64L << 20;
    static final PoolOptions OPTIONS = PoolOptions.defaults().withFileBytes(PoolOptions.MIN_FILE_BYTES)
            .withMaxBytes(1L << 30).withCommitMillis(0);

    @TempDir
    Path dir;
    VolumePool pool;
    NbdServer server;

    @BeforeEach
    void start() {
        pool = VolumePool.create(dir.resolve("pool"), OPTIONS);
        server = NbdServer.builder(pool).port(0).build().start();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (pool != null) {
            pool.close();
        }
    }

    String uri(String export) {
        return "nbd://127.0.0.1:" + server.port() + "/" + export;
    }

    /** A 64 MiB raw image: 4 MiB of random data at 0, 3 MiB at 40 MiB, a few bytes at 63 MiB + 17, zeros elsewhere (sparse). */
    Path image(String name, long seed) throws IOException {
        Path file = dir.resolve(name);
        Random random = new Random(seed);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(SIZE);
            for (long[] range : new long[][] {{0, 4 << 20}, {40L << 20, 3 << 20}, {(63L << 20) + 17, 1000}}) {
                byte[] data = new byte[(int) range[1]];
                random.nextBytes(data);
                raf.seek(range[0]);
                raf.write(data);
            }
        }
        return file;
    }

    @Test
    void qemuImgConvertsInAndOutAndComparesASnapshot() throws Exception {
        requires("qemu-img", "cmp");
        Path in = image("in.raw", 1);
        Volume volume = pool.createVolume("vm", SIZE);
        run(0, "qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", in.toString(), uri("vm"));
        Path out = dir.resolve("out.raw");
        run(0, "qemu-img", "convert", "-f", "raw", "-O", "raw", uri("vm"), out.toString());
        run(0, "cmp", in.toString(), out.toString());
        assertEquals(-1, Files.mismatch(in, out));

        volume.snapshot("installed");
        volume.write(1000, new byte[] {1, 2, 3}); // the volume moves on, the snapshot does not
        String compared = run(0, "qemu-img", "compare", "-f", "raw", "-F", "raw", uri("vm@installed"), in.toString());
        assertTrue(compared.contains("Images are identical"), compared);
        run(1, "qemu-img", "compare", "-f", "raw", "-F", "raw", uri("vm"), in.toString());
    }

    @Test
    void nbdinfoListsExportsSizesAndTheAllocationMap() throws Exception {
        requires("nbdinfo", "nbdcopy");
        Path in = image("in.raw", 2);
        Volume volume = pool.createVolume("vm", SIZE);
        volume.importFrom(in, (done, total) -> { });
        volume.snapshot("s1");
        pool.createVolume("empty", 1L << 30);

        String list = run(0, "nbdinfo", "--list", "nbd://127.0.0.1:" + server.port());
        for (String expected : new String[] {"export=\"vm\"", "export=\"vm@s1\"", "export=\"empty\"",
                "export-size: 67108864", "export-size: 1073741824", "is_read_only: true", "base:allocation"}) {
            assertTrue(list.contains(expected), expected + " in:\n" + list);
        }
        assertEquals("67108864", run(0, "nbdinfo", "--size", uri("vm@s1")).strip());
        String map = run(0, "nbdinfo", "--map", uri("vm"));
        List<String> rows = map.lines().map(l -> l.strip().replaceAll("\\s+", " ")).toList();
        assertEquals(List.of("0 4194304 0 data", "4194304 37748736 3 hole,zero", "41943040 3145728 0 data",
                "45088768 20971520 3 hole,zero", "66060288 65536 0 data", "66125824 983040 3 hole,zero"), rows, map);
        String emptyMap = run(0, "nbdinfo", "--map", uri("empty"));
        assertEquals(List.of("0 1073741824 3 hole,zero"), emptyMap.lines().map(l -> l.strip().replaceAll("\\s+", " ")).toList());
    }

    @Test
    void nbdcopyCopiesBothWays() throws Exception {
        requires("nbdcopy", "cmp");
        Path in = image("in.raw", 3);
        pool.createVolume("copy", SIZE);
        run(0, "nbdcopy", in.toString(), uri("copy"));
        Path out = dir.resolve("out.raw");
        run(0, "nbdcopy", uri("copy"), out.toString());
        run(0, "cmp", in.toString(), out.toString());
        // volume to volume, and a snapshot out
        pool.volume("copy").snapshot("s");
        pool.createVolume("second", SIZE);
        run(0, "nbdcopy", uri("copy@s"), uri("second"));
        Path out2 = dir.resolve("out2.raw");
        run(0, "nbdcopy", uri("second"), out2.toString());
        run(0, "cmp", in.toString(), out2.toString());
    }

    @Test
    void fioVerifiesWritesThenAgainAfterSnapshotRevertAndRestart() throws Exception {
        requires("fio");
        assumeTrue(run(-1, "fio", "--enghelp").contains("nbd"), "this fio has no nbd engine");
        Volume volume = pool.createVolume("fio", SIZE);
        Path job = fioJob();
        String first = run(0, "fio", job.toString());
        assertEquals(2, first.lines().filter(l -> l.contains("err= 0")).count(), first);

        Snapshot good = volume.snapshot("after-fio");
        byte[] junk = new byte[4 << 20];
        new Random(9).nextBytes(junk);
        volume.write(0, junk);          // clobbers the 4 KiB job's area
        volume.write(16L << 20, junk);  // and part of the 64 KiB job's
        job = fioJob();
        assertNotEquals(0, exitCode("fio", "--verify_only", job.toString()), "verification must catch the junk");

        volume.revertTo(good);
        server.close();
        pool.close();
        pool = VolumePool.open(dir.resolve("pool"), OPTIONS);
        server = NbdServer.builder(pool).port(0).build().start();
        job = fioJob();
        run(0, "fio", "--verify_only", job.toString());
    }

    /** Random writes of 4 KiB (8 MiB at 0) and 64 KiB (16 MiB at 16 MiB), each verified with crc32c. */
    Path fioJob() throws IOException {
        Path job = dir.resolve("verify.fio");
        Files.writeString(job, """
                [global]
                ioengine=nbd
                uri=%s
                rw=randwrite
                verify=crc32c
                verify_fatal=1
                iodepth=8
                randrepeat=1

                [random-4k]
                bs=4k
                offset=0
                size=8m

                [random-64k]
                bs=64k
                offset=16m
                size=16m
                """.formatted(uri("fio")));
        return job;
    }

    // ------------------------------------------------------------------ processes

    static void requires(String... commands) {
        for (String command : commands) {
            boolean found = false;
            for (String path : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
                found |= Files.isExecutable(Path.of(path, command));
            }
            assumeTrue(found, command + " is not installed (apt-get install qemu-utils libnbd-bin fio)");
        }
    }

    /** Runs a command; asserts its exit code unless {@code expected} is -1; returns its output. */
    String run(int expected, String... command) throws Exception {
        Result result = execute(command);
        if (expected >= 0) {
            assertEquals(expected, result.exit(), () -> String.join(" ", command) + " exited " + result.exit() + ":\n" + result.output());
        }
        return result.output();
    }

    int exitCode(String... command) throws Exception {
        return execute(command).exit();
    }

    record Result(int exit, String output) {
    }

    Result execute(String... command) throws Exception {
        Path log = Files.createTempFile(dir, "process", ".log");
        Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError(String.join(" ", command) + " still runs after 60 s:\n" + Files.readString(log));
            }
            return new Result(process.exitValue(), Files.readString(log));
        } finally {
            ProcessHandle.of(process.pid()).ifPresent(handle -> {
                handle.descendants().forEach(ProcessHandle::destroyForcibly);
                handle.destroyForcibly();
            });
        }
    }
}

package io.coems.vvm;

import io.coems.vvm.noflags.PreallocatedPoolChild;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.coems.vvm.VolumePoolTest.random;
import static io.coems.vvm.VolumePoolTest.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Thick pool files ({@link PoolOptions#preallocate()}): every device file a pool so opened
 * creates is allocated on the file system at once, the volumes in it stay thin, and a JVM without
 * native access is refused. Surefire grants {@code io.coems.matrix} native access; the refusal runs
 * in a child JVM with no flags.
 */
class PreallocatedPoolTest {
    private static final PoolOptions THICK = PoolFixtures.DIR.withPreallocate(true);

    /** Bytes the file system has allocated to {@code file} ({@code stat -c '%b %B'}). */
    private static long allocatedBytes(Path file) throws IOException, InterruptedException {
        Process stat = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).start();
        String out = new String(stat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertEquals(0, stat.waitFor(), out);
        String[] blocksAndSize = out.split(" ");
        return Long.parseLong(blocksAndSize[0]) * Long.parseLong(blocksAndSize[1]);
    }

    private static boolean preallocated(Path file) throws IOException, InterruptedException {
        return allocatedBytes(file) >= Files.size(file);
    }

    @Test
    void defaultsAreSparseAndTheSettingIsKeptByTheOtherWithers() {
        assertFalse(PoolOptions.defaults().preallocate());
        assertTrue(THICK.preallocate());
        assertTrue(THICK.withFileBytes(128L << 20).withMaxBytes(1L << 30).withCommitMillis(5).withCacheBlocks(32)
                .withVnodesPerGroup(8).withClock(java.time.InstantSource.system()).preallocate());
        assertFalse(THICK.withPreallocate(false).preallocate());
    }

    @Test
    void aPoolCreatedPreallocatedAllocatesItsFirstFileAndEachFileItGrowsBy(@TempDir Path dir) throws Exception {
        try (VolumePool pool = VolumePool.create(dir, THICK)) {
            PoolFixtures.populate(pool);
            assertTrue(preallocated(dir.resolve("pool-0000.coems")));
            pool.grow();
            assertTrue(preallocated(dir.resolve("pool-0001.coems")));
            assertArrayEquals(random(5000, 1), read(pool.volume("v"), 1000, 5000));
        }
        // The pool stores that it is thick: opened with options that do not ask, it stays thick.
        try (VolumePool pool = VolumePool.open(dir, PoolOptions.defaults())) {
            assertTrue(pool.preallocated());
            pool.grow();
            assertTrue(preallocated(dir.resolve("pool-0002.coems")), "the pool grows by a preallocated file");
            pool.releaseLease(pool.acquireLease("admin", java.time.Duration.ofMinutes(1)).token());
        }
        try (VolumePool pool = VolumePool.open(dir, THICK)) {
            assertTrue(pool.preallocated(), "issuing a fencing token kept the flag");
            pool.grow();
            assertTrue(preallocated(dir.resolve("pool-0003.coems")));
            assertArrayEquals(random(5000, 1), read(pool.volume("v"), 1000, 5000));
        }
    }

    @Test
    void aThinPoolGrowsSparseUnlessTheOptionsAskForPreallocation(@TempDir Path dir) throws Exception {
        try (VolumePool pool = VolumePool.create(dir, PoolFixtures.DIR)) {
            assertFalse(pool.preallocated());
        }
        try (VolumePool pool = VolumePool.open(dir, PoolOptions.defaults())) {
            assertFalse(pool.preallocated());
            pool.grow();
            assertTrue(sparse(dir.resolve("pool-0001.coems")), "a thin pool grows by a sparse file");
        }
        // Options that ask preallocate the files this opening adds; the pool stays recorded thin.
        try (VolumePool pool = VolumePool.open(dir, THICK)) {
            pool.grow();
            assertTrue(preallocated(dir.resolve("pool-0002.coems")));
        }
        try (VolumePool pool = VolumePool.open(dir, PoolFixtures.DIR)) {
            assertFalse(pool.preallocated());
            pool.grow();
            assertTrue(sparse(dir.resolve("pool-0003.coems")));
        }
    }

    @Test
    void aThickPoolOpenedWithoutNativeAccessGrowsByASparseFileAndWarns(@TempDir Path dir) throws Exception {
        try (VolumePool pool = VolumePool.create(dir, THICK)) {
            assertTrue(pool.preallocated() && preallocated(dir.resolve("pool-0000.coems")));
        }
        String[] outAndErr = child("grow", dir);
        assertEquals("grew: preallocated=true files=2\n", outAndErr[0], outAndErr[1]);
        assertTrue(outAndErr[1].contains("WARN") && outAndErr[1].contains("--enable-native-access=io.coems.matrix"),
                outAndErr[1]);
        assertTrue(sparse(dir.resolve("pool-0001.coems")), "the growth fell back to a sparse file");
        try (VolumePool pool = VolumePool.open(dir, PoolOptions.defaults())) {
            assertTrue(pool.preallocated(), "the pool is still recorded thick");
            pool.grow();
            assertTrue(preallocated(dir.resolve("pool-0002.coems")), "with native access it grows thick again");
        }
    }

    @Test
    void withoutNativeAccessCreatingAPreallocatedPoolIsRefusedNamingTheFlag(@TempDir Path dir) throws Exception {
        Path poolDir = dir.resolve("pool");
        String[] outAndErr = child("create", poolDir);
        String out = outAndErr[0];
        String err = outAndErr[1];
        assertTrue(out.startsWith("PoolArgumentException: cannot create a pool in " + poolDir + ": "), out);
        assertTrue(out.contains("--enable-native-access=io.coems.matrix"), out);
        assertFalse(err.contains("restricted method"), "the JDK printed no warning: " + err);
        try (var files = Files.list(poolDir)) {
            assertEquals(List.of(), files.toList(), "no device file was made");
        }
    }

    private static boolean sparse(Path file) throws IOException, InterruptedException {
        return allocatedBytes(file) < Files.size(file) / 2;
    }

    /**
     * Runs {@link PreallocatedPoolChild} {@code mode} on the pool in {@code dir} in a JVM with no
     * flags (warnings logged); its standard output and error, once it exited with 0.
     */
    private static String[] child(String mode, Path dir) throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", // the tests' simplelogger.properties says error
                "--module-path", System.getProperty("jdk.module.path"), "--add-modules", "io.coems.vvm",
                "-cp", location(PreallocatedPoolChild.class), PreallocatedPoolChild.class.getName(), mode,
                dir.toString());
        Process child = new ProcessBuilder(command).start();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child JVM finished");
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, child.exitValue(), out + err);
        return new String[] {out, err};
    }

    private static String location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}

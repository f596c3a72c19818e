package io.coems.vvm;

import io.coems.matrix.Blocks;
import io.coems.matrix.LbsSpec;
import io.coems.matrix.ProgressListener;
import io.coems.matrix.device.MemoryDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The life of volumes, snapshots and clones through the public API, on memory and in a directory. */
class VolumePoolTest {
    static final PoolOptions SMALL = PoolOptions.defaults().withFileBytes(256L << 20).withMaxBytes(1L << 30)
            .withCommitMillis(0);

    static VolumePool memoryPool(long blocks) {
        return VolumePool.create(List.of(LbsSpec.normal(new MemoryDevice("m", blocks))), SMALL);
    }

    /** Directory pools of 64 MiB files growing up to 192 MiB. */
    private static final PoolOptions GROWING = PoolOptions.defaults().withFileBytes(64L << 20).withMaxBytes(192L << 20)
            .withCommitMillis(0);

    static byte[] random(int length, long seed) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }

    static byte[] read(BlockImage image, long offset, int length) {
        byte[] data = new byte[length];
        image.read(offset, data);
        return data;
    }

    @Test
    void snapshotRevertAndCloneKeepEveryStateApart() {
        try (VolumePool pool = memoryPool(2048)) {
            Volume golden = pool.createVolume("golden", 64L << 20);
            byte[] base = random(3 * Blocks.SIZE, 1);
            golden.write(1000, base);
            Snapshot image = golden.snapshot("installed");
            Volume clone = pool.clone(image, "pc-01");
            byte[] virus = random(5000, 2);
            clone.write(1000, virus);
            assertArrayEquals(base, read(golden, 1000, base.length));
            assertArrayEquals(base, read(image, 1000, base.length));
            assertArrayEquals(virus, read(clone, 1000, virus.length));

            Snapshot infected = clone.snapshot("infected");
            clone.revertTo(infected);
            assertArrayEquals(virus, read(clone, 1000, virus.length), "its first snapshot holds the virus");
            assertThrows(PoolArgumentException.class, () -> clone.revertTo(image), "image is golden's snapshot");
            Volume fresh = pool.clone(image, "pc-01-fresh");
            assertArrayEquals(base, read(fresh, 1000, base.length));
            assertEquals(image.id(), infected.parent().orElseThrow().id(), "the clone's first state came from the image");
            assertEquals(List.of(infected), clone.history());
            assertEquals(List.of(), pool.check());
        }
    }

    @Test
    void spaceIsExactAndDeletingASnapshotFreesWhatItHeld() {
        try (VolumePool pool = memoryPool(2048)) {
            Volume v = pool.createVolume("v", 64L << 20);
            v.write(0, new byte[4 * Blocks.SIZE]);
            v.write(0, random(4 * Blocks.SIZE, 3));
            Snapshot s = v.snapshot("s");
            v.write(0, random(2 * Blocks.SIZE, 4));
            assertEquals(new VolumeSpace(4L * Blocks.SIZE, 2L * Blocks.SIZE, 2L * Blocks.SIZE + 2L * Blocks.SIZE),
                    v.space(), "2 copied blocks are its own, with the index blocks it had to copy");
            assertEquals(2L * Blocks.SIZE, s.space().exclusive());
            long free = pool.space().free();
            long reclaimable = s.space().reclaimable();
            s.delete();
            assertEquals(free + reclaimable, pool.space().free());
            assertEquals(List.of(new Extent(0, 4L * Blocks.SIZE)), v.mapped());
        }
    }

    @Test
    void diffFindsTheChangedRangesFromMetadata() {
        try (VolumePool pool = memoryPool(2048)) {
            Volume v = pool.createVolume("v", 64L << 20);
            v.write(0, random(10 * Blocks.SIZE, 5));
            Snapshot a = v.snapshot("a");
            v.write(3L * Blocks.SIZE + 7, new byte[] {1});
            v.write(8L * Blocks.SIZE, random(2 * Blocks.SIZE, 6));
            Snapshot b = v.snapshot("b");
            assertEquals(List.of(new Extent(3L * Blocks.SIZE, Blocks.SIZE), new Extent(8L * Blocks.SIZE, 2L * Blocks.SIZE)),
                    pool.diff(a, b));
            assertEquals(List.of(), pool.diff(b, v));
        }
    }

    @Test
    void aDirectoryPoolKeepsEverythingAcrossReopenAndExportsSparsely(@TempDir Path dir) throws Exception {
        byte[] data = random(Blocks.SIZE + 17, 7);
        long id;
        try (VolumePool pool = VolumePool.create(dir.resolve("pool"), SMALL)) {
            Volume v = pool.createVolume("disk", 32L << 20);
            v.write(5L * Blocks.SIZE, data);
            v.snapshot("before");
            v.setAttribute("os", "linux");
            Client pc = pool.clients().register("pc-1", "AA:BB:CC:00:11:22", "10.0.0.1", Map.of("cpu", "x86"), Map.of());
            pool.clients().assignByIp(v, "10.0.0.1");
            id = v.id();
            pool.flush();
            assertEquals(pc, pool.clients().clientOf(v).orElseThrow());
        }
        try (VolumePool pool = VolumePool.open(dir.resolve("pool"), SMALL)) {
            Volume v = pool.volume("disk");
            assertEquals(id, v.id());
            assertArrayEquals(data, read(v, 5L * Blocks.SIZE, data.length));
            assertEquals("before", v.history().getFirst().name());
            assertEquals(Map.of("os", "linux"), v.attributes());
            assertEquals("aa:bb:cc:00:11:22", pool.clients().clientOf(v).orElseThrow().mac());
            Path raw = dir.resolve("disk.raw");
            List<Long> progress = new ArrayList<>();
            v.exportTo(raw, (done, total) -> progress.add(done));
            assertEquals(32L << 20, Files.size(raw));
            assertEquals(32L << 20, progress.getLast());
            Volume copy = pool.createVolume("copy", 32L << 20);
            copy.importFrom(raw, ProgressListener.NONE);
            assertArrayEquals(data, read(copy, 5L * Blocks.SIZE, data.length));
            assertEquals(v.mapped(), copy.mapped(), "zero blocks were not written");
        }
    }

    @Test
    void aDirectoryPoolGrowsByFilesUpToItsMaximum(@TempDir Path dir) throws Exception {
        PoolOptions options = GROWING;
        byte[] chunk = random(1 << 20, 8);
        int written = 0;
        try (VolumePool pool = VolumePool.create(dir, options)) {
            long first = pool.space().capacity();
            Volume v = pool.createVolume("big", 192L << 20);
            PoolNoSpaceException full = assertThrows(PoolNoSpaceException.class, () -> {
                for (int mib = 0; ; mib++) {
                    v.write((long) mib << 20, chunk);
                }
            });
            assertTrue(full.getMessage().contains("big"), full.getMessage());
            assertEquals(3, Files.list(dir).filter(p -> p.getFileName().toString().endsWith(".coems")).count());
            assertTrue(pool.space().capacity() > 2 * first, pool.space() + " after growing from " + first);
            written = (int) (v.space().allocated() >> 20);
            assertTrue(written > 150, written + " MiB written into 192 MiB of files");
            pool.flush();
            assertEquals(List.of(), pool.check());
        }
        try (VolumePool pool = VolumePool.open(dir, options)) {
            Volume v = pool.volume("big");
            assertArrayEquals(chunk, read(v, (long) (written - 1) << 20, chunk.length), "the last whole MiB, in the last file");
            assertEquals(List.of(), pool.check());
        }
    }

    /**
     * Growing ahead of need is a side job of writes and changes: when it fails (here the next
     * device file's name is taken by a directory), the write or change that triggered it still
     * succeeds and says so; only a write that finds the pool really full is refused.
     */
    @Test
    void aFailedGrowthAheadOfNeedDoesNotFailTheWriteOrChangeThatTriggeredIt(@TempDir Path dir) throws Exception {
        byte[] chunk = random(1 << 20, 8);
        try (VolumePool pool = poolThatCannotGrow(dir)) {
            Volume v = pool.createVolume("big", 60L << 20);
            int mib = 0;
            for (; pool.space().free() > (12L << 20); mib++) {
                v.write((long) mib << 20, chunk);
            }
            Volume after = pool.createVolume("after", 1L << 20);
            assertEquals(List.of("after", "big"), pool.volumes().stream().map(Volume::name).toList());
            assertArrayEquals(chunk, read(v, (long) (mib - 1) << 20, chunk.length));
            after.write(0, chunk);
            assertEquals(List.of(), pool.check());
        }
    }

    /** A directory pool whose next device file's name is taken by a directory, so adding it fails. */
    private static VolumePool poolThatCannotGrow(Path dir) throws java.io.IOException {
        VolumePool pool = VolumePool.create(dir, GROWING);
        Files.createDirectory(dir.resolve("pool-0001.coems"));
        return pool;
    }

    @Test
    void aFullPoolThatCannotGrowRefusesWritesWithNoSpaceNamingTheFailedGrowth(@TempDir Path dir) throws Exception {
        byte[] chunk = random(1 << 20, 8);
        try (VolumePool pool = poolThatCannotGrow(dir)) {
            Volume v = pool.createVolume("big", 128L << 20);
            PoolNoSpaceException full = assertThrows(PoolNoSpaceException.class, () -> {
                for (int mib = 0; ; mib++) {
                    v.write((long) mib << 20, chunk);
                }
            });
            assertTrue(full.getMessage().contains("big"), full.getMessage());
            assertEquals(1, full.getSuppressed().length, "the failed growth is kept");
            assertTrue(full.getSuppressed()[0] instanceof PoolIoException, full.getSuppressed()[0].toString());
            assertEquals(List.of(), pool.check());
        }
    }

    @Test
    void aFailedExportLeavesNoPartialFileSoItCanBeRetried(@TempDir Path dir) throws Exception {
        try (VolumePool pool = memoryPool(1024)) {
            Volume v = pool.createVolume("v", 4L << 20);
            byte[] data = random(3 << 20, 5);
            v.write(0, data);
            Path fresh = dir.resolve("fresh.raw");
            Path empty = Files.createFile(dir.resolve("empty.raw"));
            for (Path out : List.of(fresh, empty)) {
                Snapshot doomed = v.snapshot("doomed");
                java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
                assertThrows(PoolNotFoundException.class, () -> doomed.exportTo(out, (done, total) -> {
                    if (once.compareAndSet(false, true)) {
                        doomed.delete();
                    }
                }));
                assertTrue(out == fresh ? Files.notExists(out) : Files.size(out) == 0,
                        out + " is as it was before the failed export");
                v.exportTo(out, ProgressListener.NONE);
                assertArrayEquals(data, java.util.Arrays.copyOf(Files.readAllBytes(out), data.length), "the retry worked");
            }
        }
    }

    @Test
    void anotherPoolsImagesAreRefusedEvenWithTheSameIds() {
        try (VolumePool mine = memoryPool(512); VolumePool other = memoryPool(512)) {
            Volume v = mine.createVolume("v", 1L << 20);
            byte[] data = random(1000, 8);
            v.write(0, data);
            Snapshot own = v.snapshot("s");
            Volume w = other.createVolume("v", 1L << 20);
            w.write(0, random(1000, 9));
            Snapshot foreign = w.snapshot("s");
            assertEquals(own.id(), foreign.id(), "both pools gave out the same ids");
            assertThrows(PoolArgumentException.class, () -> v.revertTo(foreign));
            assertThrows(PoolArgumentException.class, () -> v.revertTo(null));
            assertThrows(PoolArgumentException.class, () -> mine.diff(own, w));
            assertArrayEquals(data, read(v, 0, data.length), "the refused revert changed nothing");
        }
    }

    @Test
    void aDirectoryWithoutAPoolIsRefused(@TempDir Path dir) {
        PoolFormatException e = assertThrows(PoolFormatException.class, () -> VolumePool.open(dir, SMALL));
        assertTrue(e.getMessage().contains("holds no COEMS pool"), e.getMessage());
    }
}

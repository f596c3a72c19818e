package io.coems.vvm;

import io.coems.matrix.BlockDevice;
import io.coems.matrix.LbsHealth;
import io.coems.matrix.LbsSpec;
import io.coems.matrix.LbsStatus;
import io.coems.matrix.MemberState;
import io.coems.matrix.ProgressListener;
import io.coems.matrix.RaidMode;
import io.coems.matrix.Rebuild;
import io.coems.matrix.ScrubReport;
import io.coems.matrix.device.FaultInjectingDevice;
import io.coems.matrix.device.MappedFileDevice;
import io.coems.matrix.device.MemoryDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static io.coems.vvm.PoolFixtures.refused;
import static io.coems.vvm.PoolFixtures.refusedAndUnchanged;
import static io.coems.vvm.VolumePoolTest.random;
import static io.coems.vvm.VolumePoolTest.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The administration of a pool: device status, scrub, metadata repair, growth, device replacement. */
class AdminTest {
    private static final int BLOCKS = 1024;
    private static final long OFFSET = 12345;
    private static final byte[] DATA = random(3 << 20, 7);

    /** A RAID-1 pool over {@code a} and {@code b} holding volume "v" with {@link #DATA} at {@link #OFFSET}, flushed. */
    private static VolumePool mirrored(BlockDevice a, BlockDevice b) {
        VolumePool pool = VolumePool.create(List.of(LbsSpec.raid1(a, b)), VolumePoolTest.SMALL);
        pool.createVolume("v", 8L << 20).write(OFFSET, DATA);
        pool.flush();
        return pool;
    }

    private static FaultInjectingDevice memory(String name) {
        return new FaultInjectingDevice(new MemoryDevice(name, BLOCKS));
    }

    /** Writes and flushes a little, so that the matrix meets a failed device. */
    private static void touch(VolumePool pool) {
        pool.createVolume("touch-" + System.nanoTime(), 1L << 20).write(0, random(70000, 3));
        pool.flush();
    }

    @Test
    void spacesShowModeHealthAndMembers() {
        FaultInjectingDevice a = memory("a");
        FaultInjectingDevice b = memory("b");
        try (VolumePool pool = mirrored(a, b)) {
            List<LbsStatus> spaces = pool.spaces();
            assertEquals(1, spaces.size());
            LbsStatus s = spaces.getFirst();
            assertEquals(RaidMode.RAID1, s.mode());
            assertEquals(LbsHealth.OPTIMAL, s.health());
            assertEquals(List.of("a", "b"), s.members().stream().map(LbsStatus.Member::device).toList());
            assertTrue(s.members().stream().allMatch(m -> m.state() == MemberState.ONLINE));

            b.failDevice();
            touch(pool);
            s = pool.spaces().getFirst();
            assertEquals(LbsHealth.DEGRADED, s.health());
            assertEquals(MemberState.FAILED, s.members().get(1).state());
        }
    }

    @Test
    void scrubFindsAndRepairsAFlippedByteOnAMirror() {
        FaultInjectingDevice a = memory("a");
        FaultInjectingDevice b = memory("b");
        try (VolumePool pool = mirrored(a, b)) {
            ScrubReport clean = pool.scrub(false, null);
            assertTrue(clean.rowsChecked() > 0, clean::toString);
            assertEquals(0, clean.mismatches(), clean::toString);

            b.flipBytes(BLOCKS / 2, 100, 1);
            AtomicLong done = new AtomicLong();
            AtomicLong total = new AtomicLong();
            ProgressListener progress = (d, t) -> {
                done.set(d);
                total.set(t);
            };
            ScrubReport found = pool.scrub(false, progress);
            assertEquals(1, found.mismatches(), found::toString);
            assertEquals(0, found.repaired(), found::toString);
            assertEquals(1, found.details().size(), found::toString);
            assertTrue(total.get() > 0 && done.get() == total.get(), done + " of " + total);

            ScrubReport repaired = pool.scrub(true, ProgressListener.NONE);
            assertEquals(1, repaired.mismatches(), repaired::toString);
            assertEquals(1, repaired.repaired(), repaired::toString);
            assertEquals(0, pool.scrub(false, null).mismatches());
            assertArrayEquals(DATA, read(pool.volume("v"), OFFSET, DATA.length));
            assertEquals(List.of(), pool.check());
        }
    }

    @Test
    void aFailedMirrorIsReplacedAndRebuiltWithTheDataIntact() {
        FaultInjectingDevice a = memory("a");
        FaultInjectingDevice b = memory("b");
        try (VolumePool pool = mirrored(a, b)) {
            b.failDevice();
            touch(pool);
            assertArrayEquals(DATA, read(pool.volume("v"), OFFSET, DATA.length), "degraded reads");

            AtomicLong done = new AtomicLong();
            FaultInjectingDevice c = memory("c");
            Rebuild rebuild = pool.replaceDevice(0, 1, c, (d, t) -> done.set(d));
            assertEquals(0, rebuild.lbs());
            assertEquals(1, rebuild.member());
            rebuild.await();
            assertEquals(1.0, rebuild.progress());
            assertTrue(done.get() > 0);
            LbsStatus s = pool.spaces().getFirst();
            assertEquals(LbsHealth.OPTIMAL, s.health());
            assertEquals(List.of("a", "c"), s.members().stream().map(LbsStatus.Member::device).toList());

            // The other mirror fails too: everything is read from the rebuilt one.
            a.failDevice();
            assertArrayEquals(DATA, read(pool.volume("v"), OFFSET, DATA.length), "read from the replacement");
            assertEquals(List.of(), pool.check());
        }
    }

    @Test
    void aFailedMirrorFileIsReplacedByANewFileOfItsSize(@TempDir Path dir) {
        FaultInjectingDevice a = new FaultInjectingDevice(MappedFileDevice.create(dir.resolve("a.img"), BLOCKS, false));
        FaultInjectingDevice b = new FaultInjectingDevice(MappedFileDevice.create(dir.resolve("b.img"), BLOCKS, false));
        try (VolumePool pool = mirrored(a, b)) {
            refused(PoolArgumentException.class, () -> pool.replaceDevice(0, 0, dir.resolve("d.img"), null),
                    "member 0", "not FAILED");
            assertFalse(Files.exists(dir.resolve("d.img")), "a file made for a refused replacement is removed");

            b.failDevice();
            touch(pool);
            Path c = dir.resolve("c.img");
            pool.replaceDevice(0, 1, c, null).await();
            assertEquals(Files.size(dir.resolve("a.img")), Files.size(c));
            assertEquals(LbsHealth.OPTIMAL, pool.spaces().getFirst().health());
            a.failDevice();
            assertArrayEquals(DATA, read(pool.volume("v"), OFFSET, DATA.length));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void replacementsThatCannotBeAreRefusedTyped() {
        FaultInjectingDevice a = memory("a");
        FaultInjectingDevice b = memory("b");
        try (VolumePool pool = mirrored(a, b)) {
            refusedAndUnchanged(pool, PoolArgumentException.class,
                    () -> pool.replaceDevice(0, 1, memory("x"), null), "not FAILED");
            b.failDevice();
            touch(pool);
            refusedAndUnchanged(pool, PoolArgumentException.class,
                    () -> pool.replaceDevice(3, 1, memory("x"), null), "space 3");
            refusedAndUnchanged(pool, PoolArgumentException.class,
                    () -> pool.replaceDevice(0, 7, memory("x"), null), "7");
            refusedAndUnchanged(pool, PoolArgumentException.class,
                    () -> pool.replaceDevice(0, 1, new MemoryDevice("tiny", 4), null), "tiny");
            refusedAndUnchanged(pool, PoolArgumentException.class,
                    () -> pool.replaceDevice(0, 1, a, null), "a");
            refusedAndUnchanged(pool, PoolArgumentException.class,
                    () -> pool.replaceDevice(0, 1, (BlockDevice) null, null), "device is null");
            refusedAndUnchanged(pool, PoolArgumentException.class,
                    () -> pool.replaceDevice(0, 1, (Path) null, null), "file is null");
            refusedAndUnchanged(pool, PoolArgumentException.class,
                    () -> pool.replaceDevice(0, 1, Path.of("/nonexistent-dir/x.img"), null), "no other member");
            pool.replaceDevice(0, 1, memory("c"), null).await();
        }
    }

    @Test
    void aDirectoryPoolGrowsAFileAtATimeUpToItsMaximum(@TempDir Path dir) throws Exception {
        try (VolumePool pool = VolumePool.create(dir, PoolFixtures.DIR)) {
            PoolFixtures.populate(pool);
            long before = pool.space().capacity();
            long after = pool.grow();
            assertTrue(after > before, before + " -> " + after);
            assertEquals(after, pool.space().capacity());
            assertEquals(2, pool.spaces().size());
            assertTrue(pool.spaces().get(1).members().getFirst().device().endsWith("pool-0001.coems"),
                    pool.spaces().toString());
            assertTrue(pool.grow() > after);
            pool.grow();
            assertEquals(4, pool.spaces().size());
            refusedAndUnchanged(pool, PoolArgumentException.class, pool::grow, "maximum");
            assertEquals(List.of(), pool.check());
            // Nothing to compare in NORMAL spaces, nothing to fix in a sound pool.
            assertEquals(0, pool.scrub(true, null).rowsChecked());
            assertEquals(List.of(), pool.repair());
            refused(PoolArgumentException.class, () -> pool.replaceDevice(1, 0, dir.resolve("new"), null),
                    "space 1 is NORMAL", "without redundancy");
            assertFalse(Files.exists(dir.resolve("new")));
        }
        try (var files = Files.list(dir); VolumePool back = VolumePool.open(dir, PoolFixtures.DIR)) {
            assertEquals(4, files.count());
            assertEquals(4, back.spaces().size());
            assertArrayEquals(random(5000, 1), read(back.volume("v"), 1000, 5000));
        }
    }

    @Test
    void aDirectoryPoolOpenedWithOtherOptionsGrowsByItsOwnFilesUpToItsOwnMaximum(@TempDir Path dir) throws Exception {
        VolumePool.create(dir, PoolFixtures.DIR).close();
        PoolOptions others = PoolOptions.defaults().withCommitMillis(0); // 16 GiB files up to 1 PiB
        try (VolumePool pool = VolumePool.open(dir, others)) {
            pool.createVolume("v", 1L << 20); // a change looks at the free space: no file of 16 GiB
            pool.grow();
            pool.grow();
            pool.grow();
            refused(PoolArgumentException.class, pool::grow, "maximum");
        }
        try (var files = Files.list(dir); VolumePool back = VolumePool.open(dir, others)) {
            for (Path f : files.toList()) {
                assertEquals(PoolFixtures.DIR.fileBytes(), Files.size(f), f::toString);
            }
            assertEquals(4, back.spaces().size());
        }
    }

    @Test
    void anExplicitLayoutDoesNotGrowByFiles() {
        try (VolumePool pool = VolumePoolTest.memoryPool(1024)) {
            refusedAndUnchanged(pool, PoolArgumentException.class, pool::grow, "explicit layout");
            assertEquals(List.of(), pool.repair());
        }
    }

    @Test
    void adminOperationsAreLeaseAdmittedAndRefusedOnAClosedPool() {
        VolumePool pool = PoolFixtures.populate(VolumePoolTest.memoryPool(1024));
        Lease lease = pool.acquireLease("console", Duration.ofMinutes(1));
        refused(PoolLeaseException.class, pool::repair, "\"console\"");
        refused(PoolLeaseException.class, () -> pool.scrub(true, null), "\"console\"");
        refused(PoolLeaseException.class, pool::grow, "\"console\"");
        refused(PoolLeaseException.class, () -> pool.replaceDevice(0, 0, memory("x"), null), "\"console\"");
        assertEquals(0, pool.scrub(false, null).mismatches(), "a scrub that repairs nothing needs no lease");
        assertEquals(1, pool.spaces().size());
        assertEquals(List.of(), pool.withLease(lease.token(), pool::repair));
        pool.close();
        refused(PoolClosedException.class, pool::spaces);
        refused(PoolClosedException.class, () -> pool.scrub(false, null));
        refused(PoolClosedException.class, pool::repair);
        refused(PoolClosedException.class, pool::grow);
    }
}

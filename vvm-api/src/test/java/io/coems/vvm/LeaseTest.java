package io.coems.vvm;

import io.coems.matrix.LbsSpec;
import io.coems.matrix.ProgressListener;
import io.coems.matrix.device.MemoryDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.coems.vvm.PoolFixtures.refused;
import static io.coems.vvm.PoolFixtures.refusedAndUnchanged;
import static io.coems.vvm.VolumePoolTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The management lease: opt-in, exclusive, renewed by use, lapsing when idle, fenced by ever-growing tokens. */
class LeaseTest {
    private static final long MIB = 1L << 20;
    private static final Duration IDLE = Duration.ofSeconds(30);

    private final PoolFixtures.ManualClock clock = new PoolFixtures.ManualClock();
    private final PoolOptions options = VolumePoolTest.SMALL.withClock(clock);

    /** A memory pool on the manual clock, {@linkplain PoolFixtures#populate populated}. */
    private VolumePool pool() {
        return PoolFixtures.populate(VolumePool.create(List.of(LbsSpec.normal(new MemoryDevice("m", 1024))), options));
    }

    /**
     * Every kind of configuration change, each making something new (the suffix keeps names
     * apart), on a pool holding volume "v" with snapshot "s" and client "pc".
     */
    private static List<Executable> changes(VolumePool pool, String suffix) {
        Volume v = pool.volume("v");
        Snapshot s = v.findSnapshot("s").orElseThrow();
        ClientManager clients = pool.clients();
        long pc = clients.findByName("pc").orElseThrow().id();
        return List.of(
                () -> pool.createVolume("new" + suffix, MIB),
                () -> pool.createVolume("doomed" + suffix, MIB).delete(),
                () -> v.snapshot("snap" + suffix),
                () -> v.findSnapshot("snap" + suffix).orElseThrow().delete(),
                () -> v.revertTo(s),
                () -> pool.clone(s, "clone" + suffix),
                () -> v.resize(v.size() + MIB, false),
                () -> v.rename("v"),
                () -> v.setReadOnly(false),
                () -> v.setAttribute("k", suffix),
                () -> clients.register("pc" + suffix, "02:00:00:00:01:" + suffix, "10.1.0." + Integer.parseInt(suffix, 16),
                        Map.of(), Map.of()),
                () -> clients.update(clients.client(pc).withAttributes(Map.of("k", suffix))),
                () -> clients.assign(v, pc),
                () -> clients.assignByIp(v, "10.0.0.1"),
                () -> clients.unassign(v),
                () -> clients.remove(clients.findByName("pc" + suffix).orElseThrow().id()),
                () -> pool.scrub(true, null),
                pool::repair);
    }

    @Test
    void withoutALeaseEveryChangeWorks() {
        try (VolumePool pool = pool()) {
            for (Executable change : changes(pool, "01")) {
                assertDoesNotThrow(change);
            }
            assertTrue(pool.lease().isEmpty());
        }
    }

    @Test
    void whileALeaseIsHeldChangesNeedItsToken() {
        try (VolumePool pool = pool()) {
            Lease lease = pool.acquireLease("console-a", IDLE);
            assertEquals(java.util.Optional.of(lease), pool.lease());
            // Each change is first refused without the token, then made with it (a removal needs
            // what the change before it made).
            for (Executable change : changes(pool, "02")) {
                refusedAndUnchanged(pool, PoolLeaseException.class, change, "\"console-a\"", "no fencing token");
                pool.withLease(lease.token(), () -> assertDoesNotThrow(change));
            }
            long wrong = lease.token() + 1;
            refusedAndUnchanged(pool, PoolLeaseException.class,
                    () -> pool.withLease(wrong, () -> pool.createVolume("x", MIB)),
                    "fencing token " + wrong, "token " + lease.token());
            assertEquals(lease, pool.lease().orElseThrow(), "refusals leave the lease in force");
        }
    }

    @Test
    void readsAndWritesNeedNoLease(@TempDir Path dir) {
        try (VolumePool pool = pool()) {
            pool.acquireLease("console-a", IDLE);
            Volume v = pool.volume("v");
            Snapshot s = v.findSnapshot("s").orElseThrow();
            byte[] data = random(3000, 2);
            v.write(100, data);
            assertArrayEquals(data, VolumePoolTest.read(v, 100, data.length));
            v.discard(0, 65536);
            v.writeZeroes(65536, 10);
            v.flush();
            pool.flush();
            assertEquals(List.of("v"), pool.volumes().stream().map(Volume::name).toList());
            assertEquals(List.of(s), v.history());
            v.space();
            v.mapped();
            s.space();
            pool.diff(s, v);
            pool.space();
            pool.clients().clients();
            pool.spaces();
            pool.scrub(false, null);
            v.exportTo(dir.resolve("v.raw"), ProgressListener.NONE);
            assertEquals(List.of(), pool.check(), "checking the pool changes nothing, so it needs no lease");
        }
    }

    @Test
    void anotherHolderIsRefusedWhileTheLeaseIsLiveAndItLapsesWhenIdle() {
        try (VolumePool pool = pool()) {
            Lease a = pool.acquireLease("console-a", IDLE);
            refused(PoolLeaseException.class, () -> pool.acquireLease("console-b", IDLE), "\"console-a\"",
                    "token " + a.token());

            clock.advance(IDLE.minusMillis(1));
            pool.withLease(a.token(), () -> pool.createVolume("renews", MIB));
            clock.advance(IDLE.minusMillis(1));
            assertEquals(a, pool.lease().orElseThrow(), "the change renewed the lease");
            refused(PoolLeaseException.class, () -> pool.acquireLease("console-b", IDLE), "\"console-a\"");
            refused(PoolLeaseException.class, () -> pool.createVolume("x", MIB), "no fencing token");

            clock.advance(Duration.ofMillis(1));
            assertTrue(pool.lease().isEmpty(), "idle for the whole timeout: lapsed");
            refusedAndUnchanged(pool, PoolLeaseException.class,
                    () -> pool.withLease(a.token(), () -> pool.createVolume("late", MIB)),
                    "fencing token " + a.token(), "stale");
            pool.createVolume("free-for-all", MIB);

            Lease b = pool.acquireLease("console-b", IDLE);
            assertTrue(b.token() > a.token());
            refusedAndUnchanged(pool, PoolLeaseException.class,
                    () -> pool.withLease(a.token(), () -> pool.createVolume("late", MIB)),
                    "fencing token " + a.token(), "\"console-b\"");
            pool.withLease(b.token(), () -> pool.createVolume("b-made", MIB));
        }
    }

    @Test
    void renewalKeepsAnIdleHolderAndMayChangeItsTimeout() {
        try (VolumePool pool = pool()) {
            Lease a = pool.acquireLease("console-a", IDLE);
            clock.advance(IDLE.minusMillis(1));
            Lease longer = pool.renewLease(a.token(), IDLE.multipliedBy(2));
            assertEquals(new Lease(a.token(), "console-a", IDLE.multipliedBy(2)), longer);
            clock.advance(IDLE.multipliedBy(2).minusMillis(1));
            assertEquals(longer, pool.lease().orElseThrow(), "renewed without a change");
            refused(PoolLeaseException.class, () -> pool.renewLease(a.token() + 1, IDLE), "fencing token " + (a.token() + 1));
            refused(PoolArgumentException.class, () -> pool.renewLease(a.token(), Duration.ZERO), "PT0S");
            clock.advance(Duration.ofMillis(1));
            assertTrue(pool.lease().isEmpty(), "lapsed after the new timeout");
            refused(PoolLeaseException.class, () -> pool.renewLease(a.token(), IDLE), "fencing token " + a.token());
        }
    }

    @Test
    void aReleasedLeaseFreesChangesAndItsTokenGoesStale() {
        try (VolumePool pool = pool()) {
            Lease a = pool.acquireLease("console-a", IDLE);
            pool.releaseLease(a.token() + 1);
            assertEquals(a, pool.lease().orElseThrow(), "another token releases nothing");
            pool.releaseLease(a.token());
            assertTrue(pool.lease().isEmpty());
            pool.createVolume("free", MIB);
            refusedAndUnchanged(pool, PoolLeaseException.class,
                    () -> pool.withLease(a.token(), () -> pool.createVolume("late", MIB)), "stale");
            assertTrue(pool.acquireLease("console-a", IDLE).token() > a.token());
        }
    }

    @Test
    void badLeaseArgumentsAreRefused() {
        try (VolumePool pool = pool()) {
            refused(PoolArgumentException.class, () -> pool.acquireLease("a", Duration.ZERO), "PT0S");
            refused(PoolArgumentException.class, () -> pool.acquireLease("a", Duration.ofSeconds(-1)), "PT-1S");
            refused(PoolArgumentException.class, () -> pool.acquireLease("a", null), "timeout null");
            refused(PoolArgumentException.class, () -> pool.acquireLease("", IDLE), "lease holder name");
            refused(PoolArgumentException.class, () -> pool.withLease(1, (Runnable) null), "operation is null");
            assertTrue(pool.lease().isEmpty());
        }
    }

    @Test
    void anIdleTimeoutTooLongForMillisecondsMeansForever() {
        try (VolumePool pool = pool()) {
            for (Duration forever : List.of(Duration.ofMillis(Long.MAX_VALUE), Duration.ofSeconds(Long.MAX_VALUE))) {
                Lease lease = pool.acquireLease("console-a", forever);
                clock.advance(Duration.ofDays(365_000));
                assertEquals(lease, pool.lease().orElseThrow(), forever + " has not lapsed");
                refused(PoolLeaseException.class, () -> pool.acquireLease("console-b", IDLE), "\"console-a\"");
                pool.withLease(lease.token(), () -> pool.volume("v").setAttribute("k", "1"));
                pool.releaseLease(lease.token());
            }
        }
    }

    @Test
    void creationTimesComeFromThePoolsClock() {
        try (VolumePool pool = pool()) {
            clock.advance(Duration.ofDays(3));
            Volume v = pool.createVolume("dated", MIB);
            assertEquals(clock.instant(), v.created());
            clock.advance(Duration.ofHours(1));
            assertEquals(clock.instant(), v.snapshot("then").created());
            assertEquals(clock.instant(), pool.clone(v.findSnapshot("then").orElseThrow(), "copy").created());
        }
    }

    @Test
    void tokensKeepGrowingAcrossCloseAndReopen(@TempDir Path dir) {
        PoolOptions dirOptions = PoolFixtures.DIR.withClock(clock);
        long first;
        try (VolumePool pool = VolumePool.create(dir, dirOptions)) {
            first = pool.acquireLease("console-a", IDLE).token();
            pool.withLease(first, () -> pool.createVolume("v", MIB));
        }
        long second;
        try (VolumePool pool = VolumePool.open(dir, dirOptions)) {
            assertTrue(pool.lease().isEmpty(), "a lease does not outlive the process");
            refusedAndUnchanged(pool, PoolLeaseException.class,
                    () -> pool.withLease(first, () -> pool.createVolume("late", MIB)), "stale");
            second = pool.acquireLease("console-b", IDLE).token();
            assertTrue(second > first, second + " > " + first);
        }
        try (VolumePool pool = VolumePool.open(dir, dirOptions)) {
            long third = pool.acquireLease("console-c", IDLE).token();
            assertTrue(third > second, third + " > " + second);
            refusedAndUnchanged(pool, PoolLeaseException.class,
                    () -> pool.withLease(second, () -> pool.createVolume("late", MIB)), "fencing token " + second);
        }
    }
}

package io.coems.cli;

import io.coems.vvm.Volume;
import io.coems.vvm.VolumePool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link WorkloadRunner} and {@link BenchScenario} on a small directory pool. */
class WorkloadRunnerTest {
    private static final long VOLUME = 4L << 20;
    private static final long DATA = 3L << 20;

    @TempDir
    Path dir;
    VolumePool pool;

    @BeforeEach
    void createPool() {
        pool = VolumePool.create(dir.resolve("pool"), PoolCommand.options(256L << 20, null));
    }

    @AfterEach
    void closePool() {
        pool.close();
    }

    private static byte[] content(io.coems.vvm.BlockImage image) {
        byte[] all = new byte[(int) VOLUME];
        image.read(0, java.lang.foreign.MemorySegment.ofArray(all));
        return all;
    }

    /** Writes with a step that wraps, from 8 virtual threads, flushing as told: exactly the scheduled ranges change. */
    @ParameterizedTest
    @CsvSource({"0, true", "8, true", "8, false", "13, true"})
    void writesLandExactlyWhereTheScheduleSays(long flushInterval, boolean drain) {
        Volume v = BenchScenario.OWNED.prepare(pool, "w", VOLUME, DATA);
        Workload w = new Workload(300, 5000, 3 * 65536 + 7, 100, true, 8, flushInterval, drain, 0x5a);
        long nanos = new WorkloadRunner(w).run(v);
        assertTrue(nanos > 0);

        byte[] expected = new byte[(int) VOLUME];
        java.util.Arrays.fill(expected, 0, (int) DATA, (byte) BenchScenario.DATA_PATTERN);
        RequestSchedule schedule = new RequestSchedule(w, VOLUME);
        for (RequestSchedule.Request r = schedule.next(Long.MAX_VALUE); r != null; r = schedule.next(Long.MAX_VALUE)) {
            java.util.Arrays.fill(expected, (int) r.offset(), (int) (r.offset() + w.size()), (byte) 0x5a);
        }
        assertTrue(java.util.Arrays.equals(expected, content(v)));
    }

    @Test
    void readsChangeNothing() {
        Volume v = BenchScenario.OWNED.prepare(pool, "r", VOLUME, DATA);
        byte[] before = content(v);
        new WorkloadRunner(new Workload(1000, 65536, 65536, 0, false, 4, 0, true, 0)).run(v);
        assertTrue(java.util.Arrays.equals(before, content(v)));
    }

    @Test
    void aRequestPastTheEndFailsTheRun() {
        Volume v = BenchScenario.OWNED.prepare(pool, "e", VOLUME, DATA);
        Workload w = new Workload(10, 65536, VOLUME - 4096, 0, false, 4, 0, true, 0);
        Coems.Failure e = assertThrows(Coems.Failure.class, () -> new WorkloadRunner(w).run(v));
        assertTrue(e.getMessage().startsWith("request 1 at offset " + (VOLUME - 4096) + " runs past the end"),
                e.getMessage());
    }

    @Test
    void scenariosPrepareTheirSharing() {
        Volume owned = BenchScenario.OWNED.prepare(pool, "o", VOLUME, DATA);
        assertEquals(0, owned.history().size());
        assertEquals(DATA, owned.space().allocated());

        Volume snapped = BenchScenario.AFTER_SNAPSHOT.prepare(pool, "s", VOLUME, DATA);
        assertEquals("shared", snapped.history().getFirst().name());
        assertEquals(0, snapped.space().exclusive());

        Volume clone = BenchScenario.CLONE.prepare(pool, "c", VOLUME, DATA);
        assertEquals("c", clone.name());
        assertEquals("c-origin", pool.volume(clone.origin().orElseThrow().volumeId()).name());
        byte[] expected = new byte[(int) VOLUME];
        java.util.Arrays.fill(expected, 0, (int) DATA, (byte) BenchScenario.DATA_PATTERN);
        assertTrue(java.util.Arrays.equals(expected, content(clone)));
        assertEquals(0, clone.space().exclusive());
    }

    @Test
    void scenariosByTheirCommandLineNames() {
        Set<BenchScenario> named = new HashSet<>();
        for (String name : new BenchScenario.Names()) {
            named.add(BenchScenario.named(name));
        }
        assertEquals(Set.of(BenchScenario.values()), named);
        assertEquals(BenchScenario.AFTER_SNAPSHOT, BenchScenario.named("after-snapshot"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BenchScenario.named("cow"));
        assertEquals("no scenario 'cow' (choose from owned, after-snapshot, clone, snapshot)", e.getMessage());
    }
}

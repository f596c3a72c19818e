package io.coems.benchmarks.vvm;

import io.coems.vvm.Snapshot;
import io.coems.vvm.Volume;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * Snapshot and clone latency of a volume with 64 MiB and with 8 GiB written, in the same
 * 9 GiB pool. Every snapshot and clone is an atomic, durable change when it returns (an SFS
 * batch and a journal commit). {@code backing=FILE}: a directory pool on disk, where the commit
 * includes {@code msync}s; {@code backing=MEMORY}: a pool over an off-heap memory device, where
 * the commit is the same journal work with a no-op device flush, which isolates the CPU part.
 *
 * <p>{@code snapshot} and {@code cloneVolume} time the creation alone: what they made is deleted in
 * an untimed per-invocation teardown, so the pool never holds more than one extra state.
 * {@code snapshotAndDelete} and {@code cloneAndDelete} time both changes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SnapshotBenchmark {
    /** Pool size, the same for both volume sizes. */
    static final long POOL_BYTES = 9L << 30;

    /** Data written into the volume, in MiB. */
    @Param({"64", "8192"})
    public int writtenMiB;

    @Param
    public Backing backing;

    private VvmFixture fixture;
    private Snapshot base;
    private Snapshot madeSnapshot;
    private Volume madeClone;
    private long counter;

    @Setup
    public void setUp() {
        fixture = VvmFixture.of(backing, POOL_BYTES, (long) writtenMiB * 16);
        base = fixture.volume.snapshot("base");
    }

    @TearDown
    public void tearDown() {
        fixture.close();
    }

    /** Deletes what the last {@code snapshot} or {@code cloneVolume} made, outside the timing. */
    @TearDown(Level.Invocation)
    public void dropMade() {
        if (madeSnapshot != null) {
            madeSnapshot.delete();
            madeSnapshot = null;
        }
        if (madeClone != null) {
            madeClone.delete();
            madeClone = null;
        }
    }

    /** One durable snapshot of the volume. */
    @Benchmark
    public Snapshot snapshot() {
        return madeSnapshot = fixture.volume.snapshot("s" + counter++);
    }

    /** One durable clone of the base snapshot. */
    @Benchmark
    public Volume cloneVolume() {
        return madeClone = fixture.pool.clone(base, "c" + counter++);
    }

    /** One durable snapshot and its durable delete. */
    @Benchmark
    public Snapshot snapshotAndDelete() {
        Snapshot s = fixture.volume.snapshot("s" + counter++);
        s.delete();
        return s;
    }

    /** One durable clone and its durable delete. */
    @Benchmark
    public Volume cloneAndDelete() {
        Volume c = fixture.pool.clone(base, "c" + counter++);
        c.delete();
        return c;
    }
}

package io.coems.benchmarks.sfs;

import io.coems.sfs.VnodeId;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * Spawn (and delete the child again) on a vnode with 64 MiB and with 8 GiB written: both
 * touch only the root pointers, so the times should not depend on the size.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SpawnBenchmark {
    /** Data written into the parent, in MiB. */
    @Param({"64", "8192"})
    public int writtenMiB;

    private SfsFixture fixture;

    /** Formats a store and writes the parent. */
    @Setup
    public void setUp() {
        long blocks = (long) writtenMiB * 16;
        fixture = SfsFixture.inMemory(blocks + blocks / 16 + 2048, blocks);
    }

    /** Releases the store. */
    @TearDown
    public void tearDown() {
        fixture.close();
    }

    /** One spawn of the parent and the delete of the child. */
    @Benchmark
    public VnodeId spawnAndDelete() {
        VnodeId child = fixture.fs.spawn(fixture.vnode);
        fixture.fs.delete(child);
        return child;
    }
}

package io.coems.benchmarks.vvm;

import io.coems.vvm.VolumePool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * {@link VolumePool#open(Path, io.coems.vvm.PoolOptions)} of the {@link LargePool}: 10,000
 * volumes with 10 snapshots each. The pool is built once (a few minutes) into the directory of
 * system property {@code coems.bench.largePool} (default {@code benchmarks/target/vvm-pool-10k},
 * kept across runs); the close after each open is not timed. Run single-shot, with
 * {@code -jvmArgs -Xmx64m} to check that it opens in 64 MiB of heap; {@link LargePool} {@code open}
 * prints the heap the open pool takes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PoolOpenBenchmark {
    private Path dir;
    private VolumePool pool;

    @Setup
    public void setUp() {
        dir = Path.of(System.getProperty("coems.bench.largePool", "benchmarks/target/vvm-pool-10k"));
        LargePool.ensureBuilt(dir);
    }

    @TearDown(Level.Invocation)
    public void closePool() {
        if (pool != null) {
            pool.close();
            pool = null;
        }
    }

    @Benchmark
    public VolumePool open() {
        return pool = VolumePool.open(dir, LargePool.options());
    }
}

package io.coems.benchmarks.sfs;

import io.coems.benchmarks.matrix.Fixtures;
import io.coems.matrix.Blocks;
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

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * The cost of {@code flush()} after {@code dirty} first writes of 4 KiB into blocks a freshly
 * spawned child still shares: each copied a block and changed metadata, so the flush makes the
 * data durable and commits the journal (two device flushes). On a memory-mapped file, so the
 * flushes are real {@code msync} calls. The writes are done in the per-invocation setup; only
 * the flush is measured.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FlushBenchmark {
    static final long PARENT_BLOCKS = 8192;

    /** First writes done before each measured flush. */
    @Param({"1", "16", "256"})
    public int dirty;

    private SfsFixture fixture;
    private MemorySegment buffer;

    /** A 512 MiB parent in a pre-touched file, no periodic commit. */
    @Setup(Level.Trial)
    public void setUp() {
        fixture = SfsFixture.inFile(3 * PARENT_BLOCKS, PARENT_BLOCKS, 0);
        buffer = Fixtures.randomBuffer(fixture.arena, Blocks.SECTOR_SIZE, 6);
    }

    /** The first writes that the measured flush makes durable. */
    @Setup(Level.Invocation)
    public void dirtyBlocks() {
        for (int i = 0; i < dirty; i++) {
            fixture.firstWrite(buffer);
        }
    }

    /** Releases the store and its file. */
    @TearDown(Level.Trial)
    public void tearDown() {
        fixture.close();
    }

    /** One flush. */
    @Benchmark
    public void flush() {
        fixture.fs.flush();
    }
}

package io.coems.benchmarks.sfs;

import io.coems.benchmarks.matrix.Fixtures;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
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
 * The first write into each block of a freshly spawned child: every 4 KiB write copies the
 * shared 64 KiB block, every 64 KiB write takes a new block without copying. When the child
 * has overwritten all of its parent's blocks, it is deleted and spawned again (once per
 * {@link #PARENT_BLOCKS} operations).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FirstWriteAfterSpawnBenchmark {
    static final long PARENT_BLOCKS = 16384;

    /** Bytes per write. */
    @Param({"4096", "65536"})
    public int size;

    private SfsFixture fixture;
    private MemorySegment buffer;

    /** A 1 GiB parent. */
    @Setup
    public void setUp() {
        fixture = SfsFixture.inMemory(3 * PARENT_BLOCKS, PARENT_BLOCKS);
        buffer = Fixtures.randomBuffer(fixture.arena, size, 2);
    }

    /** Releases the store. */
    @TearDown
    public void tearDown() {
        fixture.close();
    }

    /** One first write into a block the child still shares. */
    @Benchmark
    public long firstWrite() {
        return fixture.firstWrite(buffer);
    }
}

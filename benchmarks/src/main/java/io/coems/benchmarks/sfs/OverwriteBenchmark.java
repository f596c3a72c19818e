package io.coems.benchmarks.sfs;

import io.coems.benchmarks.matrix.Fixtures;
import io.coems.matrix.Blocks;
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
 * Overwrites of blocks a vnode owns exclusively, at random 64 KiB-aligned positions in 256 MiB:
 * the fast path that changes no metadata. Compare with {@code RawDeviceBenchmark.write} of the
 * same size in the same run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class OverwriteBenchmark {
    static final long BLOCKS = 4096;

    /** Bytes per write. */
    @Param({"4096", "65536"})
    public int size;

    private SfsFixture fixture;
    private MemorySegment buffer;
    private Fixtures.RandomIndex blocks;

    /** A vnode with 256 MiB written. */
    @Setup
    public void setUp() {
        fixture = SfsFixture.inMemory(BLOCKS + 1024, BLOCKS);
        buffer = Fixtures.randomBuffer(fixture.arena, size, 3);
        blocks = new Fixtures.RandomIndex(BLOCKS, 4);
    }

    /** Releases the store. */
    @TearDown
    public void tearDown() {
        fixture.close();
    }

    /** One overwrite of an owned block. */
    @Benchmark
    public void overwrite() {
        fixture.fs.write(fixture.vnode, Blocks.bytes(blocks.next()), buffer);
    }
}

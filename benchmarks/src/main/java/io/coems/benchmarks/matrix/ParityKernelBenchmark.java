package io.coems.benchmarks.matrix;

import io.coems.matrix.Blocks;
import io.coems.matrix.lbs.ParityMath;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * The parity kernels of {@link ParityMath} on one thread, over 64 KiB blocks that stay in the
 * L2 cache (6 x 64 KiB), so the figure is the kernel's compute rate, not memory bandwidth:
 * {@code xorP4} computes P of 4 data blocks ({@code syndromes} with no Q: one copy and three
 * {@code xorInto}), {@code syndromesPQ4} P and Q of 4 data blocks, {@code xorInto} one
 * {@code dst ^= src} of 64 KiB.
 *
 * <p>Bytes per operation (data read): xorP4 and syndromesPQ4 262144, xorInto 65536.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ParityKernelBenchmark {
    private static final int DATA = 4;

    private Arena arena;
    private MemorySegment[] data;
    private MemorySegment p;
    private MemorySegment q;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        data = new MemorySegment[DATA];
        for (int d = 0; d < DATA; d++) {
            data[d] = Fixtures.randomBuffer(arena, Blocks.SIZE, d + 1);
        }
        p = Fixtures.randomBuffer(arena, Blocks.SIZE, 10);
        q = Fixtures.randomBuffer(arena, Blocks.SIZE, 11);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Fixtures.closeAll(arena);
    }

    @Benchmark
    public MemorySegment xorP4() {
        ParityMath.syndromes(data, DATA, p, null, Blocks.SIZE);
        return p;
    }

    @Benchmark
    public MemorySegment syndromesPQ4() {
        ParityMath.syndromes(data, DATA, p, q, Blocks.SIZE);
        return q;
    }

    @Benchmark
    public MemorySegment xorInto() {
        ParityMath.xorInto(p, 0, data[0], 0, Blocks.SIZE);
        return p;
    }
}

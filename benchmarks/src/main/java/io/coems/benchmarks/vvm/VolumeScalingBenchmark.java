package io.coems.benchmarks.vvm;

import io.coems.benchmarks.matrix.Fixtures;
import io.coems.matrix.Blocks;
import io.coems.vvm.PoolOptions;
import io.coems.vvm.Volume;
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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether I/O to different volumes of one pool scales across cores: each benchmark thread
 * writes and reads 64 KiB blocks of its own volume (blocks it owns) in one shared directory
 * pool. Run with {@code -t 1} and {@code -t 2} (the machine has 2 cores) and compare the total
 * throughput of the two runs.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class VolumeScalingBenchmark {
    /** Blocks per volume: 64 MiB. */
    static final long BLOCKS = 1024;

    /** The pool every thread shares. */
    @State(Scope.Benchmark)
    public static class SharedPool {
        Path dir;
        VolumePool pool;
        final AtomicInteger volumes = new AtomicInteger();

        @Setup(Level.Trial)
        public void setUp() {
            dir = Fixtures.tempDir();
            pool = VolumePool.create(dir.resolve("pool"), PoolOptions.defaults().withFileBytes(1L << 30));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            Fixtures.closeAll(pool);
            Fixtures.deleteTree(dir);
        }
    }

    /** One thread's volume, every block written once in setup. */
    @State(Scope.Thread)
    public static class OwnVolume {
        Arena arena;
        Volume volume;
        MemorySegment buffer;
        long next;

        @Setup(Level.Trial)
        public void setUp(SharedPool shared) {
            arena = Arena.ofShared();
            buffer = Fixtures.randomBuffer(arena, Blocks.SIZE, 5);
            volume = shared.pool.createVolume("v" + shared.volumes.incrementAndGet(), Blocks.bytes(BLOCKS));
            for (long b = 0; b < BLOCKS; b++) {
                volume.write(Blocks.bytes(b), buffer);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }

        long nextOffset() {
            long b = next;
            next = b + 1 == BLOCKS ? 0 : b + 1;
            return Blocks.bytes(b);
        }
    }

    @Benchmark
    public void write(OwnVolume own) {
        own.volume.write(own.nextOffset(), own.buffer);
    }

    @Benchmark
    public void read(OwnVolume own) {
        own.volume.read(own.nextOffset(), own.buffer);
    }
}

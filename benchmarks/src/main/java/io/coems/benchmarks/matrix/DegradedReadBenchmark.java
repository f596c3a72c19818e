package io.coems.benchmarks.matrix;

import io.coems.matrix.Blocks;
import io.coems.matrix.LbsHealth;
import io.coems.matrix.StorageMatrix;
import io.coems.matrix.device.FaultInjectingDevice;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * Random 64 KiB block reads from a RAID-5 space of 4 members, each a memory device wrapped in
 * a {@link FaultInjectingDevice}. The space is written in full and flushed first; then, in
 * {@code DEGRADED}, member 0 is failed and one read marks it failed, so a quarter of the reads
 * are rebuilt from the three other members (P XOR the surviving data). {@code OPTIMAL} reads
 * the same space through the same wrappers with no failure: the ratio DEGRADED / OPTIMAL is
 * the cost of reconstruction alone, the ratio to {@link RawDeviceBenchmark} MEMORY 65536 read
 * also includes the wrapper (a synchronized call per member access).
 *
 * <p>Bytes per operation: 65536.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DegradedReadBenchmark {

    /** Whether a member is failed. */
    public enum Health { OPTIMAL, DEGRADED }

    @Param
    public Health state;

    private Arena arena;
    private StorageMatrix matrix;
    private FaultInjectingDevice first;
    private MemorySegment buffer;
    private Fixtures.RandomIndex blocks;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        buffer = Fixtures.randomBuffer(arena, Blocks.SIZE, 1);
        Fixtures.Layout layout = Fixtures.Layout.RAID5;
        FaultInjectingDevice[] wrapped = new FaultInjectingDevice[1];
        matrix = layout.matrix(device -> {
            FaultInjectingDevice f = new FaultInjectingDevice(device);
            if (wrapped[0] == null) {
                wrapped[0] = f;
            }
            return f;
        });
        first = wrapped[0];
        // The wrapper keeps writes in memory until flush: flush every 64 stripes to bound it.
        MemorySegment stripe = Fixtures.randomBuffer(arena, layout.stripeBytes(), 2);
        long perStripe = layout.dataChunks() * (long) Fixtures.STRIPE_UNIT;
        for (long block = 0; block + perStripe <= matrix.blockCount(); block += perStripe) {
            matrix.write(block, 0, stripe);
            if ((block / perStripe) % 64 == 63) {
                matrix.flush();
            }
        }
        matrix.flush();
        if (state == Health.DEGRADED) {
            first.failDevice();
            // The first access marks the member failed; reading everything also checks the degraded path.
            for (long block = 0; block < matrix.blockCount(); block++) {
                matrix.read(block, 0, buffer);
            }
            if (matrix.status().getFirst().health() != LbsHealth.DEGRADED) {
                throw new IllegalStateException("space is " + matrix.status().getFirst().health() + ", not DEGRADED");
            }
        }
        blocks = new Fixtures.RandomIndex(matrix.blockCount(), 42);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Fixtures.closeAll(matrix, arena);
    }

    @Benchmark
    public void read() {
        matrix.read(blocks.next(), 0, buffer);
    }
}

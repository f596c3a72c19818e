package io.coems.benchmarks.vvm;

import io.coems.benchmarks.matrix.Fixtures;
import io.coems.matrix.Blocks;
import io.coems.vvm.Snapshot;
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
 * The first write into each block of a volume after a snapshot: 4 KiB (the shared block is
 * copied) and 64 KiB (the whole block, no copy). The volume (of a directory pool, or of a pool
 * over a memory device) has 256 MiB written; when every block has been written once, the snapshot is deleted and a new one taken
 * (a durable change every 4096 writes, counted in the score). Compare with
 * {@code VolumeIoBenchmark.write} of {@code target=RAW}.
 *
 * <p>Bytes per operation: {@code size}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FirstWriteAfterSnapshotBenchmark {
    /** Pool file: room for the volume's 256 MiB and its snapshot's 256 MiB, plus metadata. */
    static final long FILE_BYTES = 1L << 30;

    /** Bytes per write. */
    @Param({"65536", "4096"})
    public int size;

    /** {@code FILE}: a directory pool on disk; {@code MEMORY}: the same over an off-heap memory device. */
    @Param({"FILE", "MEMORY"})
    public Backing backing;

    private VvmFixture fixture;
    private MemorySegment buffer;
    private Snapshot snapshot;
    private long next;
    private long taken;

    @Setup
    public void setUp() {
        fixture = VvmFixture.of(backing, FILE_BYTES, VolumeIoBenchmark.BLOCKS);
        buffer = Fixtures.randomBuffer(fixture.arena, size, 5);
        snapshot = fixture.volume.snapshot("s" + taken++);
    }

    @TearDown
    public void tearDown() {
        fixture.close();
    }

    /** One write into a block the volume still shares with the snapshot. */
    @Benchmark
    public void firstWrite() {
        if (next == fixture.writtenBlocks) {
            snapshot.delete();
            snapshot = fixture.volume.snapshot("s" + taken++);
            next = 0;
        }
        fixture.volume.write(Blocks.bytes(next++), buffer);
    }
}

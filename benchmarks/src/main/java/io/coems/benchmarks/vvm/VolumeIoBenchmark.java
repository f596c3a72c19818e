package io.coems.benchmarks.vvm;

import io.coems.benchmarks.matrix.Fixtures;
import io.coems.matrix.BlockDevice;
import io.coems.matrix.Blocks;
import io.coems.matrix.device.MappedFileDevice;
import io.coems.matrix.device.MemoryDevice;
import io.coems.vvm.Volume;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Reads and writes of 4 KiB and 64 KiB, sequential and random, in 256 MiB: through a
 * {@link Volume} of a directory pool whose blocks the volume owns exclusively (every block
 * written once in setup: no copy-on-write, no allocation), and, as the baseline, straight on a
 * {@link MappedFileDevice} of the same size in the same kind of temporary directory at the same
 * offsets ({@code target=RAW}). Both files are sparse and pre-touched; nothing is flushed while
 * measuring (the pool's periodic commit runs, as it would for an application).
 *
 * <p>Bytes per operation: {@code size}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class VolumeIoBenchmark {
    /** 256 MiB of data. */
    static final long BLOCKS = 4096;
    /** Pool file and raw file size: 512 MiB. */
    static final long FILE_BYTES = 512L << 20;

    /** What is read and written. */
    public enum Target { RAW, VOLUME }

    /** Order of the accesses. */
    public enum Pattern { SEQ, RANDOM }

    @Param
    public Target target;

    /** Bytes per access. */
    @Param({"65536", "4096"})
    public int size;

    @Param
    public Pattern pattern;

    /**
     * {@code FILE} (the default): a directory pool vs a {@link MappedFileDevice}; {@code MEMORY}
     * ({@code -p backing=MEMORY}): a pool over a memory device vs a {@link MemoryDevice}, which
     * takes the page cache out of the comparison.
     */
    @Param({"FILE"})
    public Backing backing;

    private VvmFixture fixture;
    private Arena arena;
    private Path dir;
    private BlockDevice raw;
    private Volume volume;
    private MemorySegment buffer;
    private Fixtures.Offsets offsets;

    @Setup
    public void setUp() {
        arena = Arena.ofShared();
        buffer = Fixtures.randomBuffer(arena, size, 3);
        offsets = new Fixtures.Offsets(pattern == Pattern.SEQ, BLOCKS * (Blocks.SIZE / size), size, 42);
        if (target == Target.VOLUME) {
            fixture = VvmFixture.of(backing, FILE_BYTES, BLOCKS);
            volume = fixture.volume;
        } else if (backing == Backing.MEMORY) {
            raw = new MemoryDevice("raw", FILE_BYTES / Blocks.SIZE);
            Fixtures.fill(raw, BLOCKS, Fixtures.randomBuffer(arena, Blocks.bytes(16), 1));
        } else {
            dir = Fixtures.tempDir();
            raw = VvmFixture.raw(dir, FILE_BYTES, BLOCKS, arena);
        }
    }

    @TearDown
    public void tearDown() {
        Fixtures.closeAll(fixture, raw, arena);
        Fixtures.deleteTree(dir);
    }

    @Benchmark
    public void write() {
        long offset = offsets.next();
        if (volume != null) {
            volume.write(offset, buffer);
        } else {
            raw.write(offset >>> Blocks.SHIFT, (int) (offset & (Blocks.SIZE - 1)), buffer);
        }
    }

    @Benchmark
    public void read() {
        long offset = offsets.next();
        if (volume != null) {
            volume.read(offset, buffer);
        } else {
            raw.read(offset >>> Blocks.SHIFT, (int) (offset & (Blocks.SIZE - 1)), buffer);
        }
    }
}

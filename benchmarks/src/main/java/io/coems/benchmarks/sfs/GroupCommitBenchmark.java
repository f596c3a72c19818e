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
 * 4 KiB first writes into a spawned child (each copies its 64 KiB block and changes metadata)
 * on a memory-mapped file, with the journal committed every second ({@code commitMillis=1000},
 * the default: every write is durable within a second) and with no periodic commit
 * ({@code commitMillis=0}: commits only when the running transaction fills up, no durability
 * promise). The ratio of the two is the price of group commit.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class GroupCommitBenchmark {
    static final long PARENT_BLOCKS = 8192;

    /** Interval of the periodic journal commit, 0 for none. */
    @Param({"0", "1000"})
    public long commitMillis;

    private SfsFixture fixture;
    private MemorySegment buffer;

    /** A 512 MiB parent in a pre-touched file. */
    @Setup
    public void setUp() {
        fixture = SfsFixture.inFile(3 * PARENT_BLOCKS, PARENT_BLOCKS, commitMillis);
        buffer = Fixtures.randomBuffer(fixture.arena, Blocks.SECTOR_SIZE, 8);
    }

    /** Releases the store and its file. */
    @TearDown
    public void tearDown() {
        fixture.close();
    }

    /** One 4 KiB first write; the child is spawned again when it owns every block. */
    @Benchmark
    public long firstWrite() {
        return fixture.firstWrite(buffer);
    }
}

package io.coems.benchmarks.matrix;

import io.coems.matrix.BlockDevice;
import io.coems.matrix.BlockStore;
import io.coems.matrix.Blocks;
import io.coems.matrix.LbsSpec;
import io.coems.matrix.RaidMode;
import io.coems.matrix.StorageMatrix;
import io.coems.matrix.device.MemoryDevice;
import io.coems.matrix.lbs.MemberLabel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Setup code shared by the Storage Matrix benchmarks: the working-set size, buffers, the
 * layouts under test, random block numbers and clean-up. Every benchmark addresses about
 * {@link #DATA_BLOCKS} blocks (256 MiB) of user data, far more than the last-level cache, so
 * a random access pays the memory traffic a real device page would.
 */
public final class Fixtures {
    /** User-visible blocks every store under test holds (at least): 256 MiB. */
    static final long DATA_BLOCKS = 4096;
    /** Blocks placed on one member before the next: one 64 KiB block, the default. */
    static final int STRIPE_UNIT = 1;

    private Fixtures() {
    }

    /** The Logical Block Space layouts measured, each with its member count. */
    public enum Layout {
        /** One device behind the matrix: the cost of the matrix and LBS layers alone. */
        NORMAL(RaidMode.NORMAL, 1),
        RAID0(RaidMode.RAID0, 2),
        RAID1(RaidMode.RAID1, 2),
        RAID5(RaidMode.RAID5, 4),
        RAID6(RaidMode.RAID6, 5),
        RAID10(RaidMode.RAID10, 4);

        final RaidMode mode;
        final int members;

        Layout(RaidMode mode, int members) {
            this.mode = mode;
            this.members = members;
        }

        /** Data chunks per stripe. */
        int dataChunks() {
            return mode.dataChunks(members);
        }

        /** User bytes of one full stripe. */
        long stripeBytes() {
            return Blocks.bytes((long) dataChunks() * STRIPE_UNIT);
        }

        /** Member size so that the space holds at least {@link #DATA_BLOCKS}, headers included. */
        long memberBlocks() {
            long chunks = (DATA_BLOCKS + dataChunks() - 1) / dataChunks();
            return MemberLabel.HEADER_BLOCKS + chunks;
        }

        LbsSpec spec(BlockDevice... devices) {
            return switch (mode) {
                case NORMAL -> LbsSpec.normal(devices[0]);
                case RAID0 -> LbsSpec.raid0(STRIPE_UNIT, devices);
                case RAID1 -> LbsSpec.raid1(devices);
                case RAID5 -> LbsSpec.raid5(STRIPE_UNIT, devices);
                case RAID6 -> LbsSpec.raid6(STRIPE_UNIT, devices);
                case RAID10 -> LbsSpec.raid10(STRIPE_UNIT, devices);
            };
        }

        /**
         * A new matrix of this layout, one space, over fresh memory devices each wrapped by
         * {@code wrap}; the matrix owns (and closes) the devices.
         */
        StorageMatrix matrix(Function<MemoryDevice, BlockDevice> wrap) {
            BlockDevice[] devices = new BlockDevice[members];
            for (int i = 0; i < members; i++) {
                devices[i] = wrap.apply(new MemoryDevice(name() + "-" + i, memberBlocks()));
            }
            return StorageMatrix.create(List.of(spec(devices)));
        }
    }

    /** Allocates {@code bytes} in {@code arena}, sector-aligned, filled with random bytes. */
    public static MemorySegment randomBuffer(Arena arena, long bytes, long seed) {
        MemorySegment segment = arena.allocate(bytes, Blocks.SECTOR_SIZE);
        SplittableRandom random = new SplittableRandom(seed);
        for (long i = 0; i + 8 <= bytes; i += 8) {
            segment.set(ValueLayout.JAVA_LONG_UNALIGNED, i, random.nextLong());
        }
        return segment;
    }

    /**
     * Writes {@code fill} at every {@code fill}-sized position of {@code store}'s first
     * {@code blocks} blocks: pre-touches mapped pages and gives reads real data.
     */
    public static void fill(BlockStore store, long blocks, MemorySegment fill) {
        long step = fill.byteSize() >>> Blocks.SHIFT;
        for (long block = 0; block + step <= blocks; block += step) {
            store.write(block, 0, fill);
        }
    }

    /** A temporary directory for device files. */
    public static Path tempDir() {
        try {
            return Files.createTempDirectory("coems-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes {@code dir} and everything in it; null is ignored. */
    public static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes each non-null resource, even when an earlier one fails; rethrows the first failure. */
    public static void closeAll(AutoCloseable... resources) {
        RuntimeException failure = null;
        for (AutoCloseable r : resources) {
            if (r == null) {
                continue;
            }
            try {
                r.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e instanceof RuntimeException re ? re : new RuntimeException(e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Uniformly random indexes in {@code [0, bound)} from a fixed seed (xorshift64): the same
     * sequence in every benchmark and run, at a few cycles per number.
     */
    public static final class RandomIndex {
        private final long bound;
        private long state;

        /** Indexes in {@code [0, bound)} from {@code seed}. */
        public RandomIndex(long bound, long seed) {
            if (bound <= 0) {
                throw new IllegalArgumentException("bound " + bound + " is not positive");
            }
            this.bound = bound;
            this.state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
        }

        /** The next index. */
        public long next() {
            long x = state;
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            state = x;
            return (x >>> 1) % bound;
        }
    }

    /**
     * The byte offsets of accesses of {@code size} bytes to {@code count} slots: in order
     * (wrapping around) or uniformly random from a seed, as {@link RandomIndex}.
     */
    public static final class Offsets {
        private final int size;
        private final long count;
        private final RandomIndex random;
        private long next;

        /** Offsets of {@code count} slots of {@code size} bytes, in order if {@code sequential}. */
        public Offsets(boolean sequential, long count, int size, long seed) {
            this.size = size;
            this.count = count;
            this.random = sequential ? null : new RandomIndex(count, seed);
        }

        /** The byte offset of the next access. */
        public long next() {
            long slot;
            if (random == null) {
                slot = next;
                next = slot + 1 == count ? 0 : slot + 1;
            } else {
                slot = random.next();
            }
            return slot * size;
        }
    }
}

package io.coems.matrix;

import io.coems.matrix.device.FaultInjectingDevice;
import io.coems.matrix.device.MemoryDevice;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.Size;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every mode against a plain byte array: random block and sub-block writes, reads, flushes,
 * members failed at random points (up to the mode's tolerance) and replaced with a rebuild.
 * After the sequence, and after failing any further member the mode still tolerates, every
 * byte reads as the model says. jqwik prints the seed of a failing run.
 */
class LbsModelProperties {
    private static final long DEVICE_BLOCKS = 2 + 24;

    sealed interface Op permits Write, Read, Flush, Fail, FailRead, Replace {
    }

    record Write(double where, int length, long seed) implements Op {
    }

    record Read(double where, int length) implements Op {
    }

    record Flush() implements Op {
    }

    record Fail(int member) implements Op {
    }

    /** A member whose reads of one block fail from now on: it fails at its next read there. */
    record FailRead(int member, int block) implements Op {
    }

    record Replace() implements Op {
    }

    @Provide
    Arbitrary<Op> op() {
        Arbitrary<Integer> lengths = Arbitraries.oneOf(
                Arbitraries.integers().between(1, 9000),
                Arbitraries.of(Blocks.SECTOR_SIZE, Blocks.SIZE, 2 * Blocks.SIZE, 3 * Blocks.SIZE),
                Arbitraries.integers().between(1, 4 * Blocks.SIZE));
        Arbitrary<Double> where = Arbitraries.doubles().between(0, 1);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Combinators.combine(where, lengths, Arbitraries.longs()).as(Write::new)),
                net.jqwik.api.Tuple.of(4, Combinators.combine(where, lengths).as(Read::new)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Flush())),
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(0, 8).map(Fail::new)),
                net.jqwik.api.Tuple.of(1, Combinators.combine(Arbitraries.integers().between(0, 8),
                        Arbitraries.integers().between(0, 25)).as(FailRead::new)),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(new Replace())));
    }

    @Property(tries = 300)
    void agreesWithModel(@ForAll RaidMode mode, @ForAll("stripeUnits") int stripeUnit,
            @ForAll @IntRange(max = 3) int extraMembers,
            @ForAll @Size(min = 5, max = 50) List<@net.jqwik.api.From("op") Op> ops) {
        int members = TestDevices.membersFor(mode, extraMembers);
        List<FaultInjectingDevice> devices = TestDevices.faulty("m", members, DEVICE_BLOCKS);
        try (StorageMatrix matrix = StorageMatrix.create(List.of(TestDevices.spec(mode, stripeUnit, devices)))) {
            byte[] model = new byte[(int) Blocks.bytes(matrix.blockCount())];
            Set<Integer> failed = new HashSet<>();
            int failures = 0;
            int rebuilds = 0;
            for (Op op : ops) {
                boolean changed = apply(matrix, mode, devices, model, failed, op);
                failures += changed && !(op instanceof Replace) ? 1 : 0;
                rebuilds += changed && op instanceof Replace ? 1 : 0;
            }
            Statistics.label("mode").collect(mode);
            Statistics.label("members failed").collect(Math.min(failures, 3));
            Statistics.label("rebuilds").collect(Math.min(rebuilds, 2));
            assertArrayEquals(model, TestDevices.readAll(matrix), "content after " + ops.size() + " operations");
            if (mode.redundant() && matrix.status().getFirst().health() == LbsHealth.OPTIMAL) {
                ScrubReport scrub = matrix.scrub(false, ProgressListener.NONE);
                assertEquals(0, scrub.mismatches(), () -> "every member agrees: " + scrub.details());
            }
            for (int m = 0; m < members; m++) {
                if (TestDevices.survivable(mode, members, failed, m)) {
                    devices.get(m).failDevice();
                    failed.add(m);
                    assertArrayEquals(model, TestDevices.readAll(matrix), "content with member " + m + " failed too");
                    break;
                }
            }
        }
    }

    @Provide
    Arbitrary<Integer> stripeUnits() {
        return Arbitraries.of(1, 2, 4);
    }

    /** Applies {@code op}; true if it failed or rebuilt a member. */
    private static boolean apply(StorageMatrix matrix, RaidMode mode, List<FaultInjectingDevice> devices, byte[] model,
            Set<Integer> failed, Op op) {
        switch (op) {
            case Write w -> {
                int length = Math.min(w.length(), model.length);
                long position = (long) (w.where() * (model.length - length));
                byte[] data = TestDevices.bytes(length, w.seed());
                TestDevices.write(matrix, position, data);
                System.arraycopy(data, 0, model, (int) position, length);
                return false;
            }
            case Read r -> {
                int length = Math.min(r.length(), model.length);
                int position = (int) (r.where() * (model.length - length));
                assertArrayEquals(Arrays.copyOfRange(model, position, position + length),
                        TestDevices.read(matrix, position, length), "read of " + length + " bytes at " + position);
                return false;
            }
            case Flush f -> {
                matrix.flush();
                return false;
            }
            case Fail f -> {
                int member = f.member() % devices.size();
                if (TestDevices.survivable(mode, devices.size(), failed, member)) {
                    devices.get(member).failDevice();
                    failed.add(member);
                    return true;
                }
                return false;
            }
            case FailRead f -> {
                int member = f.member() % devices.size();
                if (TestDevices.survivable(mode, devices.size(), failed, member)) {
                    devices.get(member).failReads(2 + f.block() % (DEVICE_BLOCKS - 2));
                    failed.add(member);
                    return true;
                }
                return false;
            }
            case Replace rep -> {
                // A failed member is noticed at its next access; touch everything first.
                TestDevices.readAll(matrix);
                matrix.flush();
                if (failed.isEmpty()) {
                    return false;
                }
                for (Integer member : List.copyOf(failed)) {
                    LbsStatus.Member status = matrix.status().getFirst().members().get(member);
                    if (status.state() == MemberState.ONLINE) {
                        // its bad block was never read (a parity or unused row): heal it instead
                        devices.get(member).heal();
                        failed.remove(member);
                        continue;
                    }
                    assertEquals(MemberState.FAILED, status.state(), "member " + member + " after its failure");
                    FaultInjectingDevice fresh = new FaultInjectingDevice(new MemoryDevice("r" + member, DEVICE_BLOCKS));
                    matrix.replace(0, member, fresh, ProgressListener.NONE).await();
                    devices.set(member, fresh);
                    failed.remove(member);
                    assertEquals(MemberState.ONLINE, matrix.status().getFirst().members().get(member).state());
                }
                return true;
            }
        }
    }
}

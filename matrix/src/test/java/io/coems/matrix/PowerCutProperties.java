package io.coems.matrix;

import io.coems.matrix.device.FaultInjectingDevice;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Power cuts on every mode: random writes and flushes, then a cut in which each device keeps
 * an arbitrary subset of its unflushed writes (one torn at 4 KiB sectors), then reassembly
 * from the media in shuffled order. Every sector must hold its flushed content or the content
 * one of the later writes gave it (never anything else: in particular no block outside the
 * ones being written may change, which is the RAID write hole), and after the open-time
 * resync a scrub finds mirrors and parity consistent.
 */
class PowerCutProperties {
    private static final long DEVICE_BLOCKS = 2 + 12;

    sealed interface Op permits Write, Flush {
    }

    record Write(double where, int length, long seed) implements Op {
    }

    record Flush() implements Op {
    }

    @Provide
    Arbitrary<Op> op() {
        Arbitrary<Integer> lengths = Arbitraries.oneOf(Arbitraries.integers().between(1, 9000),
                Arbitraries.of(Blocks.SIZE, 2 * Blocks.SIZE, 5 * Blocks.SIZE));
        return Arbitraries.frequencyOf(
                Tuple.of(6, Combinators.combine(Arbitraries.doubles().between(0, 1), lengths, Arbitraries.longs())
                        .as(Write::new)),
                Tuple.of(1, Arbitraries.just(new Flush())));
    }

    @Property(tries = 500)
    void flushedDataSurvivesAndNothingElseChanges(@ForAll RaidMode mode, @ForAll @IntRange(max = 2) int extraMembers,
            @ForAll @IntRange(min = 1, max = 2) int stripeUnit, @ForAll @Size(min = 1, max = 30) List<@From("op") Op> ops,
            @ForAll long cutSeed) {
        int members = TestDevices.membersFor(mode, extraMembers);
        List<FaultInjectingDevice> devices = TestDevices.faulty("c", members, DEVICE_BLOCKS);
        StorageMatrix matrix = StorageMatrix.create(List.of(TestDevices.spec(mode, stripeUnit, devices)));
        SectorModel model = new SectorModel((int) Blocks.bytes(matrix.blockCount()));
        for (Op op : ops) {
            switch (op) {
                case Write w -> {
                    int length = Math.min(w.length(), model.size());
                    long position = (long) (w.where() * (model.size() - length));
                    byte[] data = TestDevices.bytes(length, w.seed());
                    TestDevices.write(matrix, position, data);
                    model.write((int) position, data);
                }
                case Flush f -> {
                    matrix.flush();
                    model.flush();
                }
            }
        }
        Random power = new Random(cutSeed);
        int persisted = 0;
        int pending = 0;
        for (FaultInjectingDevice device : devices) {
            FaultInjectingDevice.PowerCut cut = device.cut(power);
            persisted += cut.persisted();
            pending += cut.pending();
        }
        Statistics.label("mode").collect(mode);
        Statistics.label("some unflushed writes persisted, some lost").collect(persisted > 0 && persisted < pending);
        assertThrows(MatrixException.class, matrix::close, "the dead matrix cannot flush");

        List<FaultInjectingDevice> restarted = devices.stream().map(d -> new FaultInjectingDevice(d.media())).toList();
        List<BlockDevice> media = new ArrayList<>(restarted);
        Collections.shuffle(media, new Random(cutSeed));
        try (StorageMatrix reopened = StorageMatrix.open(media)) {
            byte[] content = TestDevices.readAll(reopened);
            model.check(content);
            ScrubReport scrub = reopened.scrub(false, ProgressListener.NONE);
            assertEquals(0, scrub.mismatches(), () -> "after resync: " + scrub.details());
            if (mode.redundant()) {
                // The write hole shows on a degraded read: reconstructed blocks must match what was read.
                int member = new Random(cutSeed).nextInt(members);
                restarted.get(member).failDevice();
                assertArrayEquals(content, TestDevices.readAll(reopened), "degraded after member " + member + " died");
            }
        }
    }

    /** Per 4 KiB sector: the flushed content and every content a write gave it since. */
    static final class SectorModel {
        private final byte[] current;
        private final List<List<byte[]>> versions = new ArrayList<>();

        SectorModel(int size) {
            current = new byte[size];
            for (int s = 0; s < size / Blocks.SECTOR_SIZE; s++) {
                versions.add(new ArrayList<>(List.of(new byte[Blocks.SECTOR_SIZE])));
            }
        }

        int size() {
            return current.length;
        }

        void write(int position, byte[] data) {
            System.arraycopy(data, 0, current, position, data.length);
            for (int s = position / Blocks.SECTOR_SIZE; s <= (position + data.length - 1) / Blocks.SECTOR_SIZE; s++) {
                versions.get(s).add(sector(current, s));
            }
        }

        void flush() {
            for (int s = 0; s < versions.size(); s++) {
                versions.set(s, new ArrayList<>(List.of(sector(current, s))));
            }
        }

        void check(byte[] actual) {
            for (int s = 0; s < versions.size(); s++) {
                byte[] got = sector(actual, s);
                boolean known = versions.get(s).stream().anyMatch(v -> Arrays.equals(v, got));
                int sector = s;
                assertTrue(known, () -> "sector " + sector + " (block " + sector / 16 + ") holds content no write"
                        + " gave it; " + (versions.get(sector).size() == 1 ? "it was flushed and not written since"
                        : versions.get(sector).size() - 1 + " unflushed write(s)"));
            }
        }

        private static byte[] sector(byte[] bytes, int s) {
            return Arrays.copyOfRange(bytes, s * Blocks.SECTOR_SIZE, (s + 1) * Blocks.SECTOR_SIZE);
        }
    }
}

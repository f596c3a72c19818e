package io.coems.matrix;

import io.coems.matrix.device.FaultInjectingDevice;
import io.coems.matrix.device.MemoryDevice;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.coems.matrix.TestDevices.assertMentions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scrub finds and repairs silent corruption; rebuild runs while I/O goes on; lost redundancy is reported. */
class RedundancyTest {

    private static StorageMatrix matrix(RaidMode mode, List<FaultInjectingDevice> devices) {
        return StorageMatrix.create(List.of(TestDevices.spec(mode, 1, devices)));
    }

    @ParameterizedTest
    @EnumSource(value = RaidMode.class, names = {"RAID1", "RAID5", "RAID6", "RAID10"})
    void scrubFindsAndRepairsACorruptedMember(RaidMode mode) {
        List<FaultInjectingDevice> devices = TestDevices.faulty("s", TestDevices.membersFor(mode, 1), 2 + 8);
        try (StorageMatrix matrix = matrix(mode, devices)) {
            byte[] content = TestDevices.bytes((int) Blocks.bytes(matrix.blockCount()), 5);
            TestDevices.write(matrix, 0, content);
            matrix.flush();
            assertEquals(0, matrix.scrub(false, ProgressListener.NONE).mismatches());

            devices.get(1).flipBytes(2 + 3, 1000, 16);
            ScrubReport found = matrix.scrub(false, ProgressListener.NONE);
            assertEquals(1, found.mismatches(), found.details()::toString);
            assertEquals(0, found.repaired());
            assertTrue(found.details().getFirst().contains("stripe"), found.details()::toString);

            ScrubReport repaired = matrix.scrub(true, ProgressListener.NONE);
            assertEquals(1, repaired.repaired(), repaired.details()::toString);
            assertEquals(0, matrix.scrub(false, ProgressListener.NONE).mismatches());
            if (mode != RaidMode.RAID5) {
                // mirrors copy a good copy back; RAID-6 locates the corrupt block through P and Q
                assertArrayEquals(content, TestDevices.readAll(matrix));
            }
        }
    }

    @Test
    void raid6ScrubNamesTheCorruptDataBlock() {
        List<FaultInjectingDevice> devices = TestDevices.faulty("q", 6, 2 + 4);
        try (StorageMatrix matrix = matrix(RaidMode.RAID6, devices)) {
            byte[] content = TestDevices.bytes((int) Blocks.bytes(matrix.blockCount()), 6);
            TestDevices.write(matrix, 0, content);
            // stripe 0: P on member 5, Q on member 0, data chunk 0 on member 1
            devices.get(1).flipBytes(2, 7, 1);
            ScrubReport report = matrix.scrub(true, ProgressListener.NONE);
            assertMentions(new RuntimeException(report.details().getFirst()), "data chunk 0", "member 1", "repaired");
            assertArrayEquals(content, TestDevices.readAll(matrix));
        }
    }

    @ParameterizedTest
    @EnumSource(value = RaidMode.class, names = {"RAID1", "RAID5", "RAID6", "RAID10"})
    void rebuildRunsWhileWritesGoOnAndRestoresRedundancy(RaidMode mode) throws Exception {
        int members = TestDevices.membersFor(mode, 0);
        long deviceBlocks = 2 + 256;
        List<FaultInjectingDevice> devices = TestDevices.faulty("b", members, deviceBlocks);
        try (StorageMatrix matrix = matrix(mode, devices)) {
            byte[] model = TestDevices.bytes((int) Blocks.bytes(matrix.blockCount()), 8);
            TestDevices.write(matrix, 0, model);
            matrix.flush();
            devices.get(0).failDevice();
            TestDevices.readAll(matrix);
            assertEquals(MemberState.FAILED, matrix.status().getFirst().members().getFirst().state());

            // The rebuild pauses half way; writes land below the cursor (rebuilt stripes, written to
            // the new member) and above it (rebuilt later from the others), then it resumes.
            CountDownLatch halfway = new CountDownLatch(1);
            CountDownLatch resume = new CountDownLatch(1);
            List<Long> progress = java.util.Collections.synchronizedList(new ArrayList<>());
            FaultInjectingDevice fresh = new FaultInjectingDevice(new MemoryDevice("new", deviceBlocks));
            Rebuild rebuild = matrix.replace(0, 0, fresh, (done, total) -> {
                progress.add(done);
                if (done == total / 2) {
                    halfway.countDown();
                    try {
                        resume.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            assertTrue(halfway.await(10, TimeUnit.SECONDS));
            assertEquals(0.5, rebuild.progress(), 0.01);
            Random random = new Random(11);
            for (int i = 0; i < 200; i++) {
                int length = 1 + random.nextInt(3 * Blocks.SIZE);
                int position = random.nextInt(model.length - length);
                byte[] data = TestDevices.bytes(length, random.nextLong());
                TestDevices.write(matrix, position, data);
                System.arraycopy(data, 0, model, position, length);
            }
            assertArrayEquals(model, TestDevices.readAll(matrix), "reads during the rebuild");
            resume.countDown();
            rebuild.await();
            assertEquals(1.0, rebuild.progress());
            assertEquals(256L, progress.getLast());
            assertEquals(LbsHealth.OPTIMAL, matrix.status().getFirst().health());
            devices.set(0, fresh);

            assertEquals(0, matrix.scrub(false, ProgressListener.NONE).mismatches());
            int other = mode == RaidMode.RAID10 ? 2 : 1;
            assertTrue(TestDevices.survivable(mode, members, new HashSet<>(), other));
            devices.get(other).failDevice();
            assertArrayEquals(model, TestDevices.readAll(matrix), "with another member failed after the rebuild");
        }
    }

    @Test
    void tooManyFailuresAreReportedAsLostRedundancy() {
        List<FaultInjectingDevice> devices = TestDevices.faulty("x", 3, 2 + 4);
        StorageMatrix matrix = matrix(RaidMode.RAID5, devices);
        devices.get(0).failDevice();
        devices.get(2).failDevice();
        RedundancyLostException e = assertThrows(RedundancyLostException.class, () -> TestDevices.readAll(matrix));
        assertMentions(e, "RAID5", "x0", "x2");
        assertEquals(LbsHealth.FAILED, matrix.status().getFirst().health());
        assertThrows(MatrixException.class, matrix::close);
    }

    @Test
    void replaceRefusesWhatCannotBeRebuilt() {
        List<FaultInjectingDevice> devices = TestDevices.faulty("y", 3, 2 + 4);
        try (StorageMatrix matrix = matrix(RaidMode.RAID5, devices)) {
            MemoryDevice spare = new MemoryDevice("spare", 2 + 4);
            assertMentions(assertThrows(MatrixArgumentException.class,
                    () -> matrix.replace(0, 1, spare, null)), "member 1", "ONLINE");
            assertMentions(assertThrows(MatrixArgumentException.class,
                    () -> matrix.replace(0, 7, spare, null)), "no member 7");
            assertMentions(assertThrows(MatrixArgumentException.class,
                    () -> matrix.replace(3, 0, spare, null)), "no space 3");
            devices.get(1).failDevice();
            TestDevices.readAll(matrix);
            MemoryDevice small = new MemoryDevice("small", 2 + 3);
            assertMentions(assertThrows(MatrixArgumentException.class, () -> matrix.replace(0, 1, small, null)),
                    "small", "5 blocks", "needs 6");
            spare.close();
            small.close();
        }
        List<FaultInjectingDevice> plain = TestDevices.faulty("z", 2, 2 + 4);
        try (StorageMatrix matrix = matrix(RaidMode.RAID0, plain)) {
            assertThrows(MatrixArgumentException.class, () -> matrix.replace(0, 0, new MemoryDevice("n", 6), null));
        }
    }
}

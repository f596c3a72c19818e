package io.coems.matrix;

import io.coems.matrix.device.MemoryDevice;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static io.coems.matrix.TestDevices.assertMentions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every refusal at the public boundary: the exact exception, the offending value named, nothing written. */
class BadInputTest {

    private static List<BlockDevice> memory(int count, long blocks) {
        List<BlockDevice> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(new MemoryDevice("d" + i, blocks));
        }
        return list;
    }

    @Test
    void specsRefuseWrongMemberCountsAndStripeUnits() {
        assertMentions(assertThrows(MatrixArgumentException.class, () -> new LbsSpec(RaidMode.RAID5, 1, memory(2, 4))),
                "RAID5", ">= 3", "got 2");
        assertMentions(assertThrows(MatrixArgumentException.class, () -> new LbsSpec(RaidMode.RAID6, 1, memory(3, 4))),
                "got 3");
        assertMentions(assertThrows(MatrixArgumentException.class, () -> new LbsSpec(RaidMode.RAID10, 1, memory(5, 4))),
                "even", "got 5");
        assertMentions(assertThrows(MatrixArgumentException.class, () -> new LbsSpec(RaidMode.NORMAL, 1, memory(2, 4))),
                "exactly 1");
        assertMentions(assertThrows(MatrixArgumentException.class, () -> new LbsSpec(RaidMode.RAID0, 3, memory(2, 4))),
                "stripe unit 3");
        assertMentions(assertThrows(MatrixArgumentException.class, () -> new LbsSpec(RaidMode.RAID0, 512, memory(2, 4))),
                "stripe unit 512");
        assertMentions(assertThrows(MatrixArgumentException.class, () -> new LbsSpec(RaidMode.RAID1, 1, memory(65, 4))),
                "at most 64", "got 65");
        List<BlockDevice> withNull = new ArrayList<>(memory(2, 4));
        withNull.add(null);
        assertThrows(MatrixArgumentException.class, () -> new LbsSpec(RaidMode.RAID0, 1, withNull));
        assertThrows(MatrixArgumentException.class, () -> new LbsSpec(null, 1, memory(1, 4)));
    }

    @Test
    void stripeGeometryRefusesMemberCountsTheModeDoesNotTake() {
        assertMentions(assertThrows(MatrixArgumentException.class, () -> RaidMode.RAID1.dataChunks(0)), "RAID1", "got 0");
        assertMentions(assertThrows(MatrixArgumentException.class, () -> RaidMode.RAID5.dataChunks(2)), "RAID5", "got 2");
        assertMentions(assertThrows(MatrixArgumentException.class, () -> RaidMode.RAID10.copies(3)), "RAID10", "got 3");
        assertEquals(3, RaidMode.RAID5.dataChunks(4));
        assertEquals(2, RaidMode.RAID10.dataChunks(4));
        assertEquals(1, RaidMode.RAID1.dataChunks(3));
    }

    @Test
    void aMemoryDeviceNeedsAName() {
        assertMentions(assertThrows(MatrixArgumentException.class, () -> new MemoryDevice(null, 4)), "name", "null");
    }

    @Test
    void createRefusesUnfitDevicesBeforeWritingAnything() {
        List<BlockDevice> unequal = memory(2, 8);
        unequal.add(new MemoryDevice("odd", 9));
        assertMentions(assertThrows(MatrixArgumentException.class,
                () -> StorageMatrix.create(List.of(new LbsSpec(RaidMode.RAID5, 1, unequal)))), "odd", "9 blocks", "8");

        List<BlockDevice> fine = memory(2, 8);
        List<BlockDevice> tiny = List.of(new MemoryDevice("tiny", 3));
        assertMentions(assertThrows(MatrixArgumentException.class, () -> StorageMatrix.create(List.of(
                new LbsSpec(RaidMode.RAID1, 1, fine), new LbsSpec(RaidMode.NORMAL, 2, tiny)))), "tiny", "too small");
        byte[] label = new byte[Blocks.SECTOR_SIZE];
        fine.getFirst().read(0, 0, MemorySegment.ofArray(label));
        assertArrayEquals(new byte[Blocks.SECTOR_SIZE], label, "the first space's devices were not labelled");

        assertMentions(assertThrows(MatrixArgumentException.class, () -> StorageMatrix.create(List.of())), "at least one");
        BlockDevice shared = new MemoryDevice("shared", 8);
        assertMentions(assertThrows(MatrixArgumentException.class, () -> StorageMatrix.create(List.of(
                LbsSpec.normal(shared), LbsSpec.normal(shared)))), "shared", "twice");
    }

    @Test
    void ioOutsideTheMatrixIsRefusedAndWritesNothing() {
        StorageMatrix matrix = StorageMatrix.create(List.of(LbsSpec.raid5(1, memory(3, 6).toArray(BlockDevice[]::new))));
        long blocks = matrix.blockCount();
        MemorySegment block = MemorySegment.ofArray(new byte[Blocks.SIZE]);
        assertMentions(assertThrows(MatrixArgumentException.class, () -> matrix.read(blocks, 0, block)),
                "block " + blocks);
        assertMentions(assertThrows(MatrixArgumentException.class, () -> matrix.write(-5, 0, block)), "block -5");
        assertMentions(assertThrows(MatrixArgumentException.class, () -> matrix.write(0, Blocks.SIZE, block)),
                "offset " + Blocks.SIZE);
        byte[] ones = new byte[2 * Blocks.SIZE];
        java.util.Arrays.fill(ones, (byte) 1);
        assertMentions(assertThrows(MatrixArgumentException.class,
                () -> matrix.write(blocks - 1, 0, MemorySegment.ofArray(ones))), String.valueOf(ones.length), "past the end");
        assertArrayEquals(new byte[Blocks.SIZE], TestDevices.read(matrix, Blocks.bytes(blocks - 1), Blocks.SIZE),
                "the refused write changed nothing");
        matrix.close();
        assertThrows(MatrixClosedException.class, () -> matrix.read(0, 0, block));
        assertThrows(MatrixClosedException.class, () -> matrix.write(0, 0, block));
        assertThrows(MatrixClosedException.class, matrix::flush);
        assertThrows(MatrixClosedException.class, () -> matrix.scrub(false, null));
        matrix.close();
    }

    @Test
    void openRefusesNothingToOpen() {
        assertThrows(MatrixArgumentException.class, () -> StorageMatrix.open(List.of()));
        assertThrows(MatrixArgumentException.class, () -> StorageMatrix.open(null));
    }

    @Test
    void addLbsRefusesMembersAlreadyInTheMatrix() {
        List<BlockDevice> devices = memory(2, 6);
        try (StorageMatrix matrix = StorageMatrix.create(List.of(LbsSpec.raid1(devices.toArray(BlockDevice[]::new))))) {
            assertMentions(assertThrows(MatrixArgumentException.class,
                    () -> matrix.addLbs(LbsSpec.normal(devices.get(1)))), "d1", "already member 1 of space 0");
            assertMentions(assertThrows(DeviceNotEmptyException.class, () -> {
                BlockDevice other = new MemoryDevice("other", 6);
                StorageMatrix.create(List.of(LbsSpec.normal(other))).flush();
                matrix.addLbs(LbsSpec.normal(other));
            }), "already belongs");
            org.junit.jupiter.api.Assertions.assertEquals(1, matrix.lbsCount(), "no space was added");
        }
    }

    @Test
    void badSegmentsAreRefusedBeforeAnyMemberIsTouched() {
        MemorySegment dead;
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared()) {
            dead = arena.allocate(2 * Blocks.SIZE); // a full RAID-5 stripe: the direct path
        }
        MemorySegment readOnly = MemorySegment.ofArray(new byte[Blocks.SIZE]).asReadOnly();
        try (StorageMatrix matrix = StorageMatrix.create(List.of(
                LbsSpec.raid5(1, memory(3, 6).toArray(BlockDevice[]::new)),
                LbsSpec.raid1(memory(2, 6).toArray(BlockDevice[]::new))))) {
            long mirrored = matrix.status().get(1).firstBlock();
            for (long block : new long[] {0, mirrored}) {
                assertMentions(assertThrows(MatrixArgumentException.class, () -> matrix.read(block, 0, null)),
                        "destination", "null", "the matrix");
                assertMentions(assertThrows(MatrixArgumentException.class, () -> matrix.write(block, 0, null)),
                        "source", "null");
                assertMentions(assertThrows(MatrixArgumentException.class, () -> matrix.read(block, 0, readOnly)),
                        "read-only");
                assertMentions(assertThrows(MatrixArgumentException.class, () -> matrix.read(block, 0, dead)),
                        "closed arena");
                assertMentions(assertThrows(MatrixArgumentException.class, () -> matrix.write(block, 0, dead)),
                        "closed arena");
                assertMentions(assertThrows(MatrixArgumentException.class, () -> matrix.write(block, 100, dead)),
                        "closed arena");
            }
            for (LbsStatus space : matrix.status()) {
                org.junit.jupiter.api.Assertions.assertEquals(LbsHealth.OPTIMAL, space.health(),
                        "a refused access failed a member of space " + space.index());
            }
            assertArrayEquals(new byte[2 * Blocks.SIZE], TestDevices.read(matrix, 0, 2 * Blocks.SIZE));
            org.junit.jupiter.api.Assertions.assertEquals(0, matrix.scrub(false, null).mismatches());
        }
    }

    @Test
    void nullSpecsDevicesPathsAndOptionsAreArgumentErrors() {
        assertMentions(assertThrows(MatrixArgumentException.class, () -> LbsSpec.normal(null)), "without nulls");
        assertMentions(assertThrows(MatrixArgumentException.class, () -> LbsSpec.raid0(1, (BlockDevice[]) null)),
                "RAID0", "without nulls");
        assertMentions(assertThrows(MatrixArgumentException.class,
                () -> LbsSpec.raid1(new MemoryDevice("a", 4), null)), "RAID1", "without nulls");
        List<BlockDevice> devices = memory(2, 6);
        assertMentions(assertThrows(MatrixArgumentException.class, () -> StorageMatrix.create(java.util.Arrays.asList(
                LbsSpec.raid1(devices.toArray(BlockDevice[]::new)), null))), "space 1", "null");
        assertMentions(assertThrows(MatrixArgumentException.class, () -> StorageMatrix.create(
                List.of(LbsSpec.raid1(devices.toArray(BlockDevice[]::new))), (MatrixOption[]) null)), "options is null");
        byte[] label = new byte[Blocks.SECTOR_SIZE];
        devices.getFirst().read(0, 0, MemorySegment.ofArray(label));
        assertArrayEquals(new byte[Blocks.SECTOR_SIZE], label, "a refused create labelled a device");

        assertMentions(assertThrows(MatrixArgumentException.class,
                () -> StorageMatrix.open(java.util.Arrays.asList(devices.getFirst(), null))), "device 1", "null");
        assertMentions(assertThrows(MatrixArgumentException.class, () -> StorageMatrix.openFiles(null)),
                "no device files");
        assertMentions(assertThrows(MatrixArgumentException.class,
                () -> StorageMatrix.openFiles(java.util.Arrays.asList((java.nio.file.Path) null))), "path is null");

        try (StorageMatrix matrix = StorageMatrix.create(List.of(LbsSpec.raid1(devices.toArray(BlockDevice[]::new))))) {
            long blocks = matrix.blockCount();
            assertMentions(assertThrows(MatrixArgumentException.class, () -> matrix.addLbs(null)), "spec is null");
            assertMentions(assertThrows(MatrixArgumentException.class,
                    () -> matrix.replace(0, 0, null, null)), "replacement device is null");
            org.junit.jupiter.api.Assertions.assertEquals(1, matrix.lbsCount(), "no space was added");
            org.junit.jupiter.api.Assertions.assertEquals(blocks, matrix.blockCount());
            org.junit.jupiter.api.Assertions.assertEquals(LbsHealth.OPTIMAL, matrix.status().getFirst().health());
        }
    }
}

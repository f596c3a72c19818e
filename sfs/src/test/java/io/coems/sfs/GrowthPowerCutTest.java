package io.coems.sfs;

import io.coems.matrix.BlockDevice;
import io.coems.matrix.Blocks;
import io.coems.matrix.LbsSpec;
import io.coems.matrix.MatrixException;
import io.coems.matrix.StorageMatrix;
import io.coems.matrix.device.FaultInjectingDevice;
import io.coems.matrix.device.PowerSupply;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.coems.sfs.GrowthTest.random;
import static io.coems.sfs.GrowthTest.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A power cut at every device write and flush of a growth, each with a few different subsets
 * of the unflushed writes surviving (one torn): the reopened file system has its old size or
 * its new one (the new one if {@code grow} returned), {@code check()} is clean, the data and
 * descriptors written before are intact, and it grows and works afterwards. The added device
 * holds leftovers, as a reused one does.
 */
class GrowthPowerCutTest {
    private static final SfsOptions OPTIONS = SfsModelProperties.SMALL;
    private static final int SEEDS_PER_CUT = 3;

    private record Outcome(boolean cutDuringGrowth, boolean grown) {
    }

    @Test
    void aCutAnywhereInAGrowthOpensAsBeforeOrAsAfter() {
        boolean sawOld = false;
        boolean sawNew = false;
        int cutAfter = 0;
        for (boolean cutInside = true; cutInside; cutAfter++) {
            for (int seed = 0; seed < SEEDS_PER_CUT; seed++) {
                Outcome outcome;
                try {
                    outcome = runOnce(cutAfter, seed);
                } catch (Throwable t) {
                    throw new AssertionError("cut after " + cutAfter + " operations, seed " + seed, t);
                }
                cutInside = outcome.cutDuringGrowth();
                sawOld |= !outcome.grown();
                sawNew |= outcome.grown();
            }
        }
        assertTrue(cutAfter > 20, "a growth takes more than 20 device operations, got " + cutAfter);
        assertTrue(sawOld && sawNew, "some cuts leave the old size, some the new");
    }

    private static Outcome runOnce(int cutAfter, int seed) {
        PowerSupply power = new PowerSupply();
        FaultInjectingDevice first = power.connect(new FaultInjectingDevice(GrowthTest.device("c0", 400)));
        FaultInjectingDevice second = power.connect(new FaultInjectingDevice(GrowthTest.device("c1", 700)));
        StorageMatrix matrix = StorageMatrix.create(List.of(LbsSpec.normal(first)));
        SuperFileSystem fs = SuperFileSystem.format(matrix, OPTIONS);
        VnodeId parent = fs.create(Blocks.bytes(40));
        byte[] data = random(5 * Blocks.SIZE + 300, seed);
        fs.write(parent, 100, MemorySegment.ofArray(data));
        VnodeId child = fs.spawn(parent);
        byte[] patch = random(5000, seed + 1);
        fs.write(child, Blocks.SIZE - 10, MemorySegment.ofArray(patch));
        byte[] payload = random(200, seed + 2);
        DescriptorId descriptor = fs.createDescriptor(Descriptor.VOLUME, MemorySegment.ofArray(payload));
        fs.flush();
        long oldData = fs.dataBlocks();
        matrix.addLbs(LbsSpec.normal(second));

        Random cut = new Random(cutAfter * 31L + seed);
        power.cutAfter(cutAfter, cut);
        boolean returned;
        try {
            fs.grow();
            returned = true;
        } catch (SfsIoException | MatrixException e) {
            returned = false;
        }
        boolean cutDuringGrowth = power.isCut();
        power.cut(cut);

        List<BlockDevice> media = List.of(new FaultInjectingDevice(first.media()),
                new FaultInjectingDevice(second.media()));
        try (StorageMatrix reopened = StorageMatrix.open(media);
                SuperFileSystem back = SuperFileSystem.open(reopened, OPTIONS)) {
            long newData = 4L * (256 - 5) + (76 - 5);
            long size = back.dataBlocks();
            assertTrue(size == oldData || size == newData, "opened with " + size + " data blocks, neither the "
                    + oldData + " before nor the " + newData + " after");
            assertTrue(!returned || size == newData, "a growth that returned is durable");
            assertEquals(List.of(), back.check());
            assertArrayEquals(data, read(back, parent, 100, data.length));
            assertArrayEquals(patch, read(back, child, Blocks.SIZE - 10, patch.length));
            assertArrayEquals(payload, back.readDescriptor(descriptor).payload());

            assertEquals(newData, back.grow());
            List<VnodeId> created = new ArrayList<>();
            for (int i = 0; i < 5 * 16 - 3; i++) {
                created.add(back.create(Blocks.bytes(2)));
            }
            VnodeId fresh = created.stream().filter(id -> id.index() >= 2 * 16).findFirst().orElseThrow();
            byte[] more = random(Blocks.SIZE, seed + 3);
            back.write(fresh, 0, MemorySegment.ofArray(more));
            assertArrayEquals(more, read(back, fresh, 0, more.length));
            assertEquals(List.of(), back.check());
            return new Outcome(cutDuringGrowth, size == newData);
        }
    }
}

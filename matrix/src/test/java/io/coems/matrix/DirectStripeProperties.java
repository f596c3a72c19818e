package io.coems.matrix;

import io.coems.matrix.device.MemoryDevice;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Parity spaces over memory devices, whose full-stripe writes go straight into the members'
 * memory with parity computed there: mixed full-stripe and partial writes agree with a model,
 * and parity agrees with the data.
 */
class DirectStripeProperties {

    @Property(tries = 80)
    void directFullStripesKeepParityRight(@ForAll boolean raid6, @ForAll @IntRange(max = 2) int extra,
            @ForAll @IntRange(max = 2) int stripeUnitShift, @ForAll @Size(min = 1, max = 30) List<Long> seeds) {
        RaidMode mode = raid6 ? RaidMode.RAID6 : RaidMode.RAID5;
        int stripeUnit = 1 << stripeUnitShift;
        int members = mode.minMembers() + extra;
        List<BlockDevice> devices = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            devices.add(new MemoryDevice("d" + i, 2 + 16));
        }
        try (StorageMatrix matrix = StorageMatrix.create(List.of(new LbsSpec(mode, stripeUnit, List.copyOf(devices))))) {
            byte[] model = new byte[(int) Blocks.bytes(matrix.blockCount())];
            long stripeBlocks = (long) stripeUnit * mode.dataChunks(members);
            for (long seed : seeds) {
                Random random = new Random(seed);
                long position;
                int length;
                if (random.nextBoolean()) {
                    long stripes = matrix.blockCount() / stripeBlocks;
                    long first = random.nextLong(stripes);
                    int count = 1 + random.nextInt((int) Math.min(2, stripes - first));
                    position = Blocks.bytes(first * stripeBlocks);
                    length = (int) Blocks.bytes(count * stripeBlocks);
                } else {
                    length = 1 + random.nextInt(2 * Blocks.SIZE);
                    position = random.nextLong(model.length - length);
                }
                byte[] data = TestDevices.bytes(length, seed);
                TestDevices.write(matrix, position, data);
                System.arraycopy(data, 0, model, (int) position, length);
            }
            assertArrayEquals(model, TestDevices.readAll(matrix));
            ScrubReport scrub = matrix.scrub(false, null);
            assertEquals(0, scrub.mismatches(), scrub.details()::toString);
        }
    }
}

package io.coems.matrix;

import io.coems.matrix.device.FaultInjectingDevice;
import io.coems.matrix.device.MemoryDevice;
import io.coems.matrix.device.PowerSupply;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A power cut at every point of an online growth: afterwards the matrix opens either as it was
 * or with the new space, never as something in between, and the old data is intact. If the
 * new space's labels never became durable, its devices are foreign and the matrix opens from
 * the old devices alone.
 */
class GrowthCrashTest {
    private static final long BLOCKS = 2 + 16;

    @Test
    void growthCutAtAnyPointOpensAsBeforeOrAsAfter() {
        for (int cutAfter = 0; cutAfter < 16; cutAfter++) {
            PowerSupply power = new PowerSupply();
            List<FaultInjectingDevice> old = List.of(
                    power.connect(new FaultInjectingDevice(new MemoryDevice("old0", BLOCKS))),
                    power.connect(new FaultInjectingDevice(new MemoryDevice("old1", BLOCKS))));
            FaultInjectingDevice added = power.connect(new FaultInjectingDevice(new MemoryDevice("new0", BLOCKS)));
            StorageMatrix matrix = StorageMatrix.create(List.of(TestDevices.spec(RaidMode.RAID1, 1, old)));
            byte[] content = TestDevices.bytes((int) Blocks.bytes(matrix.blockCount()), cutAfter);
            TestDevices.write(matrix, 0, content);
            matrix.flush();
            power.cutAfter(cutAfter, new Random(cutAfter));
            boolean grew;
            try {
                matrix.addLbs(LbsSpec.normal(added));
                grew = true;
            } catch (MatrixException cut) {
                grew = false;
            }
            power.cut(new Random(cutAfter));

            List<BlockDevice> all = new ArrayList<>();
            for (FaultInjectingDevice d : old) {
                all.add(new FaultInjectingDevice(d.media()));
            }
            BlockDevice addedMedia = new FaultInjectingDevice(added.media());
            all.add(addedMedia);
            StorageMatrix reopened;
            try {
                reopened = StorageMatrix.open(all);
            } catch (MatrixAssemblyException foreign) {
                assertTrue(foreign.getMessage().contains("new0") && !grew,
                        "only a growth that did not complete may leave the new device foreign: " + foreign.getMessage());
                reopened = StorageMatrix.open(all.subList(0, 2));
            }
            int spaces = reopened.lbsCount();
            assertTrue(spaces == 1 || spaces == 2, "cut after " + cutAfter + ": " + spaces + " spaces");
            assertTrue(!grew || spaces == 2, "a completed growth is durable");
            assertArrayEquals(content, TestDevices.read(reopened, 0, content.length), "cut after " + cutAfter);
            assertEquals(0, reopened.scrub(false, null).mismatches());
        }
    }
}

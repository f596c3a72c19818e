package io.coems.sfs;

import io.coems.matrix.Blocks;
import io.coems.matrix.LbsSpec;
import io.coems.matrix.MatrixException;
import io.coems.matrix.StorageMatrix;
import io.coems.matrix.device.FaultInjectingDevice;
import io.coems.matrix.device.MemoryDevice;
import io.coems.matrix.device.PowerSupply;
import io.coems.sfs.CrashModel.VnodeModel;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.coems.sfs.CrashModel.bytes;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A power cut at every device write and flush of a run of first writes after spawns: 4 KiB
 * writes that copy a shared block and 64 KiB writes that replace one, into many children, with
 * a journal small enough that its running transaction fills up and commits in the middle of a
 * write's transaction (whose in-place changes must stay out of that record). Then the parent,
 * left the last sharer of the block by transactions not yet durable, writes into it: it must
 * copy it, for on disk the children may still share it. After each cut the file system
 * reopens clean, with every flushed write and nothing nobody wrote.
 */
class FirstWritePowerCutTest {
    private static final int CHILDREN = 16;

    @Test
    void everyCutDuringFirstWritesLeavesAConsistentFileSystem() {
        int cuts = 0;
        for (long after = 0; ; after++) {
            if (!runWithCutAfter(after)) {
                break;
            }
            cuts++;
        }
        assertTrue(cuts > 50, "the workload was cut at each of its " + cuts + " device operations");
    }

    /** Runs the workload with a cut armed after {@code after} operations; false if it finished first. */
    private static boolean runWithCutAfter(long after) {
        Random random = new Random(after);
        PowerSupply power = new PowerSupply();
        FaultInjectingDevice device = power.connect(new FaultInjectingDevice(new MemoryDevice("cut", 512)));
        StorageMatrix matrix = StorageMatrix.create(List.of(LbsSpec.normal(device)));
        SuperFileSystem fs = SuperFileSystem.format(matrix, SfsModelProperties.SMALL);
        CrashModel model = new CrashModel(false);

        VnodeId parent = fs.create(Blocks.bytes(3));
        byte[] original = bytes(random, 3 * Blocks.SIZE);
        fs.write(parent, 0, MemorySegment.ofArray(original));
        VnodeModel parentModel = new VnodeModel();
        parentModel.write(0, original);
        model.vnodes.put(parent, parentModel);
        List<VnodeId> children = new ArrayList<>();
        for (int i = 0; i < CHILDREN; i++) {
            VnodeId child = fs.spawn(parent); // durable, like the parent's data before it
            children.add(child);
            model.vnodes.put(child, parentModel.copy());
        }
        model.flushPoint();

        power.cutAfter(after, new Random(~after));
        boolean finished = done(() -> {
            for (int round = 0; round < 2; round++) {
                for (VnodeId child : children) {
                    boolean whole = random.nextBoolean();
                    long position = Blocks.bytes(round) + (whole ? 0 : random.nextInt(Blocks.SIZE - 4096));
                    byte[] data = bytes(random, whole ? Blocks.SIZE : 4096);
                    model.vnodes.get(child).write(position, data);
                    fs.write(child, position, MemorySegment.ofArray(data));
                }
                byte[] last = bytes(random, 4096);
                long position = Blocks.bytes(round) + random.nextInt(Blocks.SIZE - 4096);
                parentModel.write(position, last);
                fs.write(parent, position, MemorySegment.ofArray(last));
                fs.flush();
                model.flushPoint();
            }
        });
        if (finished) {
            power.cutAfter(-1, null);
            fs.close();
            return false;
        }
        power.cut(new Random(after));
        try (StorageMatrix reopened = StorageMatrix.open(List.of(new FaultInjectingDevice(device.media())));
                SuperFileSystem back = SuperFileSystem.open(reopened, SfsModelProperties.SMALL)) {
            model.verify(back);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("cut after " + after + " device operations", e);
        }
        return true;
    }

    /** Runs what the cut may interrupt: whether it completed. */
    private static boolean done(Runnable work) {
        try {
            work.run();
            return true;
        } catch (SfsIoException | MatrixException e) {
            return false;
        }
    }
}

package io.coems.sfs;

import io.coems.matrix.BlockDevice;
import io.coems.matrix.Blocks;
import io.coems.matrix.LbsSpec;
import io.coems.matrix.MatrixException;
import io.coems.matrix.RaidMode;
import io.coems.matrix.StorageMatrix;
import io.coems.matrix.device.FaultInjectingDevice;
import io.coems.matrix.device.MemoryDevice;
import io.coems.matrix.device.PowerSupply;
import io.coems.sfs.CrashModel.VnodeModel;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static io.coems.sfs.CrashModel.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Power cuts under SFS on NORMAL, RAID-1 and RAID-5 matrices. Each run is a random workload
 * (creates, writes, flushes, spawns, deletes, discards, descriptor changes) with a cut armed to
 * strike after a random number of device writes and flushes, so it can fall in the middle of a
 * journal commit; each device keeps an arbitrary subset of its unflushed writes, one torn.
 * After reassembly and reopen: {@code check()} is clean; every vnode and descriptor whose
 * operation completed is there (and none that was deleted); every sector of every vnode holds
 * what it held at the last flush point or what a later write gave it, never anything else.
 *
 * <p>{@code -Dcoems.powercut.runs=N} sets the number of runs (default 150), and
 * {@code -Dcoems.powercut.seed=S} the first seed; a failure names the seed that replays it.
 */
class PowerCutCampaignTest {
    private static final SfsOptions OPTIONS = SfsModelProperties.SMALL;
    private static final long VNODE_BLOCKS = 40;
    private static final long[] HOT = {0, 1, 2, 3, 17, 39};

    @Test
    void flushedStateSurvivesEveryCut() {
        int runs = Integer.getInteger("coems.powercut.runs", 150);
        long first = Long.getLong("coems.powercut.seed", new Random().nextLong());
        for (int i = 0; i < runs; i++) {
            long seed = first + i;
            try {
                runOnce(seed);
            } catch (Throwable t) {
                throw new AssertionError("power-cut run failed; replay it with -Dcoems.powercut.seed=" + seed
                        + " -Dcoems.powercut.runs=1", t);
            }
        }
    }

    private static void runOnce(long seed) {
        Random random = new Random(seed);
        RaidMode mode = List.of(RaidMode.NORMAL, RaidMode.RAID1, RaidMode.RAID5).get(random.nextInt(3));
        int members = mode == RaidMode.NORMAL ? 1 : mode == RaidMode.RAID1 ? 2 : 3;
        long deviceBlocks = mode == RaidMode.RAID5 ? 2 + 512 : 2 + 1024;
        PowerSupply power = new PowerSupply();
        List<FaultInjectingDevice> devices = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            devices.add(power.connect(new FaultInjectingDevice(new MemoryDevice("p" + i, deviceBlocks))));
        }
        StorageMatrix matrix = StorageMatrix.create(List.of(new LbsSpec(mode, 1, List.copyOf(devices))));
        SuperFileSystem fs = SuperFileSystem.format(matrix, OPTIONS);

        CrashModel model = new CrashModel(false);
        Map<VnodeId, VnodeModel> vnodes = model.vnodes;
        Map<DescriptorId, byte[]> descriptors = model.descriptors;
        Random cut = new Random(seed ^ 0x5DEECE66DL);
        power.cutAfter(random.nextInt(400), cut);
        for (int step = 0; step < 30 && !power.isCut(); step++) {
            int op = random.nextInt(100);
            List<VnodeId> ids = new ArrayList<>(vnodes.keySet());
            VnodeId target = ids.isEmpty() ? null : ids.get(random.nextInt(ids.size()));
            if (op < 10 || target == null) {
                model.extraVnodesAllowed++;
                VnodeId id = attempt(() -> fs.create(Blocks.bytes(VNODE_BLOCKS)));
                if (id == null) {
                    break;
                }
                model.extraVnodesAllowed--;
                model.flushPoint();
                vnodes.put(id, new VnodeModel());
            } else if (op < 50) {
                long position = Blocks.bytes(HOT[random.nextInt(HOT.length)]) + (random.nextBoolean() ? 0
                        : random.nextInt(Blocks.SIZE));
                int length = (int) Math.min(random.nextBoolean() ? Blocks.SIZE : 1 + random.nextInt(9000),
                        Blocks.bytes(VNODE_BLOCKS) - position);
                byte[] data = bytes(random, length);
                vnodes.get(target).write(position, data);
                if (!done(() -> fs.write(target, position, MemorySegment.ofArray(data)))) {
                    break;
                }
            } else if (op < 58) {
                long position = Blocks.bytes(HOT[random.nextInt(HOT.length)]) + random.nextInt(100);
                long length = Math.min(1 + random.nextInt(3 * Blocks.SIZE), Blocks.bytes(VNODE_BLOCKS) - position);
                vnodes.get(target).write(position, new byte[(int) length]);
                if (!done(() -> fs.discard(target, position, length))) {
                    break;
                }
            } else if (op < 70) {
                if (!done(fs::flush)) {
                    break;
                }
                model.flushPoint();
            } else if (op < 80) {
                model.extraVnodesAllowed++;
                VnodeId child = attempt(() -> fs.spawn(target));
                if (child == null) {
                    break;
                }
                model.extraVnodesAllowed--;
                model.flushPoint();
                vnodes.put(child, vnodes.get(target).copy());
            } else if (op < 86) {
                model.maybeGone.add(target);
                if (!done(() -> fs.delete(target))) {
                    break;
                }
                model.maybeGone.remove(target);
                vnodes.remove(target);
                model.flushPoint();
            } else {
                List<DescriptorId> dids = new ArrayList<>(descriptors.keySet());
                byte[] payload = bytes(random, random.nextInt(300));
                if (dids.isEmpty() || random.nextBoolean()) {
                    model.extraDescriptorsAllowed++;
                    DescriptorId id = attempt(() -> fs.createDescriptor(Descriptor.VOLUME, MemorySegment.ofArray(payload)));
                    if (id == null) {
                        break;
                    }
                    model.extraDescriptorsAllowed--;
                    descriptors.put(id, payload);
                } else {
                    DescriptorId id = dids.get(random.nextInt(dids.size()));
                    model.descriptorUnsure.add(id);
                    model.descriptorAlternative.put(id, payload);
                    if (!done(() -> fs.updateDescriptor(id, MemorySegment.ofArray(payload)))) {
                        break;
                    }
                    model.descriptorUnsure.remove(id);
                    descriptors.put(id, payload);
                }
                model.flushPoint();
            }
        }
        power.cut(cut);

        List<BlockDevice> media = new ArrayList<>();
        for (FaultInjectingDevice d : devices) {
            media.add(new FaultInjectingDevice(d.media()));
        }
        Collections.shuffle(media, random);
        try (StorageMatrix reopened = StorageMatrix.open(media);
                SuperFileSystem back = SuperFileSystem.open(reopened, OPTIONS)) {
            model.verify(back);
        }
    }

    /** Runs an operation the cut may interrupt: its result, or null if the power went off. */
    private static <T> T attempt(java.util.function.Supplier<T> operation) {
        try {
            return operation.get();
        } catch (SfsIoException | MatrixException e) {
            return null;
        }
    }

    /** Runs an operation the cut may interrupt: whether it completed. */
    private static boolean done(Runnable operation) {
        return attempt(() -> {
            operation.run();
            return Boolean.TRUE;
        }) != null;
    }

    @Test
    void aCompletedSpawnAndDeleteSurviveACutRightAfter() {
        PowerSupply power = new PowerSupply();
        FaultInjectingDevice device = power.connect(new FaultInjectingDevice(new MemoryDevice("c", 1024)));
        StorageMatrix matrix = StorageMatrix.create(List.of(LbsSpec.normal(device)));
        SuperFileSystem fs = SuperFileSystem.format(matrix, OPTIONS);
        VnodeId a = fs.create(Blocks.bytes(8));
        byte[] data = bytes(new Random(1), 3 * Blocks.SIZE);
        fs.write(a, 0, MemorySegment.ofArray(data));
        VnodeId b = fs.spawn(a);
        VnodeId c = fs.create(Blocks.bytes(8));
        fs.delete(c);
        fs.write(b, 10, MemorySegment.ofArray(new byte[5]));
        power.cut(new Random(2));
        try (StorageMatrix reopened = StorageMatrix.open(List.of(new FaultInjectingDevice(device.media())));
                SuperFileSystem back = SuperFileSystem.open(reopened, OPTIONS)) {
            assertEquals(Set.of(a, b), new HashSet<>(back.vnodes()));
            byte[] got = new byte[data.length];
            back.read(a, 0, MemorySegment.ofArray(got));
            assertArrayEquals(data, got, "the spawn made a's data durable");
            assertEquals(List.of(), back.check());
        }
    }
}

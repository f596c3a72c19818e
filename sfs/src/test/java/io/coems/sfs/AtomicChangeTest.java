package io.coems.sfs;

import io.coems.matrix.Blocks;
import io.coems.matrix.LbsSpec;
import io.coems.matrix.StorageMatrix;
import io.coems.matrix.device.FaultInjectingDevice;
import io.coems.matrix.device.MemoryDevice;
import io.coems.matrix.device.PowerSupply;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SuperFileSystem#atomically}: all or nothing, on failure and across power cuts. */
class AtomicChangeTest {
    private static final SfsOptions OPTIONS = SfsModelProperties.SMALL;

    @Test
    void aFailingChangeLeavesNothingBehind() {
        try (SuperFileSystem fs = SuperFileSystem.format(new MemoryDevice("a", 1024), OPTIONS)) {
            VnodeId a = fs.create(Blocks.bytes(8));
            fs.write(a, 0, MemorySegment.ofArray(new byte[3 * Blocks.SIZE]));
            DescriptorId kept = fs.createDescriptor(Descriptor.VOLUME, MemorySegment.ofArray(new byte[] {1}));
            long free = fs.freeBlocks();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> fs.atomically(List.of(a), batch -> {
                batch.spawn(a);
                batch.createDescriptor(Descriptor.VOLUME, MemorySegment.ofArray(new byte[] {2}));
                batch.updateDescriptor(kept, MemorySegment.ofArray(new byte[] {3}));
                batch.delete(a);
                throw new IllegalStateException("the caller changed its mind");
            }));
            assertEquals("the caller changed its mind", e.getMessage());
            assertEquals(List.of(a), fs.vnodes());
            assertEquals(List.of(kept), fs.descriptors(Descriptor.VOLUME));
            assertEquals(1, fs.readDescriptor(kept).payload()[0]);
            assertEquals(free, fs.freeBlocks());
            assertEquals(List.of(), fs.check());
            DescriptorId next = fs.createDescriptor(Descriptor.VOLUME, MemorySegment.ofArray(new byte[] {4}));
            assertEquals(kept.index() + 1, next.index(), "the abandoned descriptor's index is free again");
        }
    }

    @Test
    void aVnodeNotNamedToTheChangeIsRefused() {
        try (SuperFileSystem fs = SuperFileSystem.format(new MemoryDevice("b", 1024), OPTIONS)) {
            VnodeId a = fs.create(Blocks.bytes(8));
            VnodeId b = fs.create(Blocks.bytes(8));
            SfsArgumentException e = assertThrows(SfsArgumentException.class,
                    () -> fs.atomically(List.of(a), batch -> batch.spawn(b)));
            assertTrue(e.getMessage().contains(b.toString()), e.getMessage());
            assertEquals(List.of(a, b), fs.vnodes());
        }
    }

    @Test
    void callsIntoTheFileSystemFromInsideTheChangeAreRefused() {
        try (SuperFileSystem fs = SuperFileSystem.format(new MemoryDevice("c", 1024), OPTIONS)) {
            VnodeId a = fs.create(Blocks.bytes(8));
            byte[] data = new byte[Blocks.SIZE];
            new Random(3).nextBytes(data);
            fs.write(a, 0, MemorySegment.ofArray(data));
            fs.flush();
            long free = fs.freeBlocks();
            MemorySegment junk = MemorySegment.ofArray(new byte[100]);
            Map<String, Runnable> reentrant = new LinkedHashMap<>();
            reentrant.put("flush", fs::flush);
            reentrant.put("grow", fs::grow);
            reentrant.put("repair", fs::repair);
            reentrant.put("close", fs::close);
            reentrant.put("write", () -> fs.write(a, 0, junk));
            reentrant.put("discard", () -> fs.discard(a, 0, Blocks.SIZE));
            reentrant.put("resize", () -> fs.resize(a, Blocks.bytes(9)));
            reentrant.put("create", () -> fs.create(Blocks.bytes(1)));
            reentrant.put("createDescriptor", () -> fs.createDescriptor(Descriptor.VOLUME, junk));
            reentrant.put("atomically", () -> fs.atomically(List.of(), batch -> batch.create(Blocks.bytes(1))));
            for (Map.Entry<String, Runnable> call : reentrant.entrySet()) {
                SfsArgumentException e = assertThrows(SfsArgumentException.class, () -> fs.atomically(List.of(a), batch -> {
                    batch.spawn(a); // shares a's blocks, uncommitted: nothing may persist or write through it
                    call.getValue().run();
                    return null;
                }), call.getKey());
                assertTrue(e.getMessage().contains("inside an atomic change"), e.getMessage());
                assertEquals(List.of(a), fs.vnodes(), call.getKey());
                assertEquals(free, fs.freeBlocks(), call.getKey());
                assertEquals(List.of(), fs.check(), call.getKey());
            }
            VnodeId child = fs.atomically(List.of(a), batch -> { // a refused call caught in the body spoils nothing
                assertThrows(SfsArgumentException.class, fs::flush);
                return batch.spawn(a);
            });
            fs.write(a, 0, junk);
            byte[] got = new byte[Blocks.SIZE];
            fs.read(child, 0, MemorySegment.ofArray(got));
            assertArrayEquals(data, got, "the spawn committed, and a's write after it copied the shared block");
            assertEquals(List.of(), fs.check());
        }
    }

    @Test
    void aChangeIsDurableTogetherAndDeletesReleaseAfterwards() {
        try (SuperFileSystem fs = SuperFileSystem.format(new MemoryDevice("c", 1024), OPTIONS)) {
            VnodeId a = fs.create(Blocks.bytes(8));
            fs.write(a, 0, MemorySegment.ofArray(new byte[4 * Blocks.SIZE]));
            VnodeId child = fs.atomically(List.of(a), batch -> {
                VnodeId spawned = batch.spawn(a);
                batch.createDescriptor(Descriptor.VOLUME, MemorySegment.ofArray(new byte[] {(byte) spawned.index()}));
                batch.delete(a);
                return spawned;
            });
            assertEquals(List.of(child), fs.vnodes());
            assertEquals(4, fs.space(child).exclusive(), "the only remaining vnode holds every block alone");
            assertEquals(List.of(), fs.check());
        }
    }

    /** A cut at every write of a spawn-plus-descriptor change opens with both or neither. */
    @Test
    void aPowerCutAtAnyPointLeavesAllOrNothing() {
        int outcomes = 0;
        for (int cutAt = 0; ; cutAt++) {
            PowerSupply power = new PowerSupply();
            FaultInjectingDevice device = power.connect(new FaultInjectingDevice(new MemoryDevice("p", 1024)));
            StorageMatrix matrix = StorageMatrix.create(List.of(LbsSpec.normal(device)));
            SuperFileSystem fs = SuperFileSystem.format(matrix, OPTIONS);
            VnodeId a = fs.create(Blocks.bytes(8));
            fs.write(a, 0, MemorySegment.ofArray(new byte[2 * Blocks.SIZE]));
            fs.flush();
            power.cutAfter(cutAt, new Random(cutAt));
            boolean completed;
            try {
                fs.atomically(List.of(a), batch -> {
                    VnodeId s = batch.spawn(a);
                    return batch.createDescriptor(Descriptor.VOLUME, MemorySegment.ofArray(new byte[] {(byte) s.index()}));
                });
                completed = !power.isCut();
            } catch (SfsException expected) {
                completed = false;
            }
            power.cut(new Random(cutAt));
            try (StorageMatrix reopened = StorageMatrix.open(List.of(new FaultInjectingDevice(device.media())));
                    SuperFileSystem back = SuperFileSystem.open(reopened, OPTIONS)) {
                Set<VnodeId> vnodes = new HashSet<>(back.vnodes());
                int descriptors = back.descriptors(Descriptor.VOLUME).size();
                assertEquals(vnodes.size() == 2 ? 1 : 0, descriptors, "cut after " + cutAt + " writes: " + vnodes);
                assertTrue(vnodes.contains(a), "cut after " + cutAt);
                if (completed) {
                    assertEquals(2, vnodes.size(), "a change that returned is durable");
                }
                assertEquals(List.of(), back.check(), "cut after " + cutAt);
                outcomes += descriptors;
            }
            if (completed) {
                break;
            }
        }
        assertTrue(outcomes > 0, "the last run completed the change");
    }
}

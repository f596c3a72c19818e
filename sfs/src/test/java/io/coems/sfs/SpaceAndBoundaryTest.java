package io.coems.sfs;

import io.coems.matrix.Blocks;
import io.coems.matrix.device.MemoryDevice;
import io.coems.sfs.format.Geometry;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Space accounting at the edges (holes, full pools, huge empty ranges) and bad input at the API. */
class SpaceAndBoundaryTest {
    private static final SfsOptions SMALL = SfsModelProperties.SMALL;
    private static final long E = Geometry.INDEX_ENTRIES;

    /** Discarding part of a never-written block allocates a zero block (and two index blocks). */
    @Test
    void discardingAHoleTakesNoSpace() {
        try (SuperFileSystem fs = SuperFileSystem.format(new MemoryDevice("d", 1024), SMALL)) {
            VnodeId id = fs.create(Blocks.bytes(16));
            long free = fs.freeBlocks();
            fs.discard(id, 100, 200);
            assertEquals(free, fs.freeBlocks(), "discard of a hole allocated " + (free - fs.freeBlocks()) + " blocks");
        }
    }

    /** Shrinking to an unaligned size zeroes the tail of the last block, allocating it if it is a hole. */
    @Test
    void shrinkingASparseVnodeTakesNoSpace() {
        try (SuperFileSystem fs = SuperFileSystem.format(new MemoryDevice("r", 1024), SMALL)) {
            VnodeId id = fs.create(Blocks.bytes(16));
            long free = fs.freeBlocks();
            fs.resize(id, 1000);
            assertEquals(free, fs.freeBlocks(), "resize allocated " + (free - fs.freeBlocks()) + " blocks");
        }
    }

    /** Discard skips unmapped subtrees whole: its cost follows what is mapped, not the range. */
    @Test
    void discardingALargeEmptyRangeIsQuick() {
        try (SuperFileSystem fs = SuperFileSystem.format(new MemoryDevice("big", 1024), SMALL)) {
            VnodeId id = fs.create(Blocks.bytes(4 * E * E));
            long blocks = E * E; // one root's worth, 16 TiB
            long t0 = System.nanoTime();
            fs.discard(id, 0, Blocks.bytes(blocks));
            double s = (System.nanoTime() - t0) / 1e9;
            assertTrue(s < 1, "discard of an empty range took " + s + " s");
        }
    }

    /** A write refused for lack of space changes nothing, not even the blocks it could write in place. */
    @Test
    void aWriteRefusedForSpaceChangesNothing() {
        MemoryDevice store = new MemoryDevice("full", 512);
        try (SuperFileSystem fs = SuperFileSystem.format(store, SMALL)) {
            VnodeId v = fs.create(Blocks.bytes(8));
            fs.write(v, 0, MemorySegment.ofArray(new byte[Blocks.SIZE])); // block 0 owned, block 1 a hole
            VnodeId filler = fs.create(Blocks.bytes(4096));
            try {
                for (long b = 0; b < 4096; b++) {
                    fs.write(filler, Blocks.bytes(b), MemorySegment.ofArray(new byte[Blocks.SIZE]));
                }
            } catch (SfsNoSpaceException expected) {
            }
            byte[] nines = new byte[2 * Blocks.SIZE];
            Arrays.fill(nines, (byte) 9);
            assertThrows(SfsNoSpaceException.class, () -> fs.write(v, 0, MemorySegment.ofArray(nines)));
            byte[] got = new byte[Blocks.SIZE];
            fs.read(v, 0, MemorySegment.ofArray(got));
            assertArrayEquals(new byte[Blocks.SIZE], got, "the refused write changed block 0");
        }
    }

    /** On a full pool, a discard that must copy index blocks still runs (on the reserve) and gives space back. */
    @Test
    void discardOnAFullPoolGivesSpaceBack() {
        MemoryDevice store = new MemoryDevice("full2", 512);
        try (SuperFileSystem fs = SuperFileSystem.format(store, SMALL)) {
            VnodeId v = fs.create(Blocks.bytes(8));
            fs.write(v, 0, MemorySegment.ofArray(new byte[2 * Blocks.SIZE]));
            VnodeId filler = fs.create(Blocks.bytes(4096));
            try {
                for (long b = 0; b < 4096; b++) {
                    fs.write(filler, Blocks.bytes(b), MemorySegment.ofArray(new byte[Blocks.SIZE]));
                }
            } catch (SfsNoSpaceException expected) {
            }
            VnodeId child = fs.spawn(v);
            fs.delete(v);
            long free = fs.freeBlocks();
            fs.discard(child, 0, Blocks.bytes(2));
            assertTrue(fs.freeBlocks() > free, "the discard gave space back on a full pool");
            assertEquals(List.of(), fs.check());
        }
    }

    /** Type 0 means a free record: listing it is refused. */
    @Test
    void descriptorsOfTypeZeroAreRefusedOrEmpty() {
        try (SuperFileSystem fs = SuperFileSystem.format(new MemoryDevice("t", 512), SMALL)) {
            fs.createDescriptor(Descriptor.VOLUME, MemorySegment.ofArray(new byte[4]));
            List<DescriptorId> zero;
            try {
                zero = fs.descriptors(0);
            } catch (SfsArgumentException refused) {
                return;
            }
            assertEquals(List.of(), zero, "type 0 = free: " + zero.size() + " ids listed");
        }
    }

    /** The descriptor vnode is not a volume: reading or writing it as one is refused. */
    @Test
    void theDescriptorVnodeIsNotReadableAsAVolume() {
        try (SuperFileSystem fs = SuperFileSystem.format(new MemoryDevice("dv", 512), SMALL)) {
            fs.createDescriptor(Descriptor.VOLUME, MemorySegment.ofArray(new byte[] {42, 43}));
            VnodeId descriptorVnode = new VnodeId(0, 1);
            assertThrows(SfsArgumentException.class, () -> fs.write(descriptorVnode, 0, MemorySegment.ofArray(new byte[1])));
            assertThrows(SfsArgumentException.class,
                    () -> fs.read(descriptorVnode, 0, MemorySegment.ofArray(new byte[16])));
        }
    }

    /** Damaged backup superblock and group-table copies are reported by check() and rewritten by repair(). */
    @Test
    void damagedBackupCopiesAreReported() {
        MemoryDevice store = new MemoryDevice("bk", 1024);
        try (SuperFileSystem fs = SuperFileSystem.format(store, SMALL)) {
            MemorySegment junk = MemorySegment.ofArray(new byte[64]);
            junk.fill((byte) 0x5a);
            store.write(256, 8, junk);     // group 1's superblock copy
            store.write(257, 0, junk);     // group 1's group-table copy
            List<String> problems = fs.check();
            assertTrue(problems.stream().anyMatch(p -> p.contains("superblock copy of group 1")), problems::toString);
            assertTrue(problems.stream().anyMatch(p -> p.contains("table copy in group 1")), problems::toString);
            fs.repair();
            assertEquals(List.of(), fs.check());
        }
    }

    /** Bad segments and null ids are argument errors, not exceptions from outside the Sfs* family. */
    @Test
    void aReadOnlyDestinationIsAnArgumentError() {
        try (SuperFileSystem fs = SuperFileSystem.format(new MemoryDevice("ro", 512), SMALL)) {
            VnodeId id = fs.create(100);
            assertThrows(SfsArgumentException.class,
                    () -> fs.read(id, 0, MemorySegment.ofArray(new byte[10]).asReadOnly()));
            assertThrows(SfsArgumentException.class, () -> fs.read(null, 0, MemorySegment.ofArray(new byte[10])));
            assertThrows(SfsArgumentException.class, () -> fs.write(id, 0, null));
        }
    }

    /** A segment whose arena is closed is an argument error, and nothing is written or stored. */
    @Test
    void aSegmentOfAClosedArenaIsAnArgumentError() {
        try (SuperFileSystem fs = SuperFileSystem.format(new MemoryDevice("ca", 512), SMALL)) {
            VnodeId owned = fs.create(Blocks.bytes(2));
            byte[] ones = new byte[100];
            Arrays.fill(ones, (byte) 1);
            fs.write(owned, 0, MemorySegment.ofArray(ones));
            VnodeId hole = fs.create(Blocks.bytes(2));
            DescriptorId descriptor = fs.createDescriptor(Descriptor.VOLUME, MemorySegment.ofArray(new byte[] {7}));
            long free = fs.freeBlocks();
            MemorySegment dead;
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared()) {
                dead = arena.allocate(100);
            }
            assertMentions(assertThrows(SfsArgumentException.class, () -> fs.read(owned, 0, dead)), "dst", "closed");
            assertMentions(assertThrows(SfsArgumentException.class, () -> fs.write(owned, 0, dead)), "src", "closed");
            assertMentions(assertThrows(SfsArgumentException.class, () -> fs.write(hole, 0, dead)), "src", "closed");
            assertMentions(assertThrows(SfsArgumentException.class,
                    () -> fs.createDescriptor(Descriptor.VOLUME, dead)), "payload", "closed");
            assertMentions(assertThrows(SfsArgumentException.class, () -> fs.updateDescriptor(descriptor, dead)),
                    "payload", "closed");
            assertArrayEquals(ones, read(fs, owned, 100), "the refused write changed the owned block");
            assertEquals(List.of(), fs.mapped(hole), "the refused write mapped a block");
            assertEquals(free, fs.freeBlocks());
            assertArrayEquals(new byte[] {7}, fs.readDescriptor(descriptor).payload());
            assertEquals(List.of(descriptor), fs.descriptors(Descriptor.VOLUME));
            assertEquals(List.of(), fs.check());
        }
    }

    /** Null arguments and null elements are argument errors naming the argument, and change nothing. */
    @Test
    void nullArgumentsAndElementsAreArgumentErrors() {
        assertMentions(assertThrows(SfsArgumentException.class, () -> SuperFileSystem.format(null, SMALL)), "store");
        assertMentions(assertThrows(SfsArgumentException.class,
                () -> SuperFileSystem.format(new MemoryDevice("n", 512), null)), "options");
        assertMentions(assertThrows(SfsArgumentException.class, () -> SuperFileSystem.open(null, SMALL)), "store");
        assertMentions(assertThrows(SfsArgumentException.class,
                () -> SuperFileSystem.open(new MemoryDevice("n", 512), null)), "options");
        try (SuperFileSystem fs = SuperFileSystem.format(new MemoryDevice("nl", 512), SMALL)) {
            VnodeId id = fs.create(100);
            DescriptorId descriptor = fs.createDescriptor(Descriptor.VOLUME, MemorySegment.ofArray(new byte[] {7}));
            java.util.Set<Integer> types = new java.util.HashSet<>(Arrays.asList(Descriptor.VOLUME, null));
            assertMentions(assertThrows(SfsArgumentException.class, () -> fs.forEachDescriptor(types, d -> { })),
                    "types", "null");
            assertMentions(assertThrows(SfsArgumentException.class,
                    () -> fs.atomically(Arrays.asList(id, null), batch -> null)), "locked", "null");
            assertMentions(assertThrows(SfsArgumentException.class,
                    () -> fs.atomically(List.of(id), batch -> batch.spawn(null))), "parent");
            assertMentions(assertThrows(SfsArgumentException.class, () -> fs.atomically(List.of(id), batch -> {
                batch.create(10);
                batch.delete(null);
                return null;
            })), "id");
            assertMentions(assertThrows(SfsArgumentException.class,
                    () -> fs.atomically(List.of(), batch -> batch.createDescriptor(Descriptor.VOLUME, null))), "payload");
            assertMentions(assertThrows(SfsArgumentException.class, () -> fs.atomically(List.of(), batch -> {
                batch.updateDescriptor(descriptor, null);
                return null;
            })), "payload");
            assertMentions(assertThrows(SfsArgumentException.class, () -> fs.atomically(List.of(), batch -> {
                batch.updateDescriptor(null, MemorySegment.ofArray(new byte[1]));
                return null;
            })), "id");
            assertMentions(assertThrows(SfsArgumentException.class, () -> fs.atomically(List.of(), batch -> {
                batch.freeDescriptor(null);
                return null;
            })), "id");
            assertEquals(List.of(id), fs.vnodes(), "a refused change created or deleted a vnode");
            assertEquals(List.of(descriptor), fs.descriptors(Descriptor.VOLUME));
            assertArrayEquals(new byte[] {7}, fs.readDescriptor(descriptor).payload());
            assertEquals(List.of(), fs.check());
        }
    }

    /** A batch kept past its atomically call, or handed to another thread, refuses every operation. */
    @Test
    void aBatchOutsideItsAtomicChangeIsRefused() throws Exception {
        try (SuperFileSystem fs = SuperFileSystem.format(new MemoryDevice("lb", 512), SMALL)) {
            VnodeId id = fs.create(100);
            DescriptorId descriptor = fs.createDescriptor(Descriptor.VOLUME, MemorySegment.ofArray(new byte[] {7}));
            SfsBatch[] kept = new SfsBatch[1];
            fs.atomically(List.of(id), batch -> {
                kept[0] = batch;
                return null;
            });
            SfsBatch batch = kept[0];
            MemorySegment one = MemorySegment.ofArray(new byte[1]);
            assertMentions(assertThrows(SfsArgumentException.class, () -> batch.create(10)), "SfsBatch", "returned");
            assertMentions(assertThrows(SfsArgumentException.class, () -> batch.spawn(id)), "SfsBatch", "returned");
            assertMentions(assertThrows(SfsArgumentException.class, () -> batch.delete(id)), "SfsBatch", "returned");
            assertMentions(assertThrows(SfsArgumentException.class,
                    () -> batch.createDescriptor(Descriptor.VOLUME, one)), "SfsBatch", "returned");
            assertMentions(assertThrows(SfsArgumentException.class, () -> batch.updateDescriptor(descriptor, one)),
                    "SfsBatch", "returned");
            assertMentions(assertThrows(SfsArgumentException.class, () -> batch.freeDescriptor(descriptor)),
                    "SfsBatch", "returned");
            Throwable[] fromOther = new Throwable[1];
            fs.atomically(List.of(), inside -> {
                Thread other = Thread.ofPlatform().start(() -> {
                    try {
                        inside.create(10);
                    } catch (Throwable t) {
                        fromOther[0] = t;
                    }
                });
                try {
                    other.join();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return null;
            });
            assertMentions(assertThrows(SfsArgumentException.class, () -> {
                throw fromOther[0];
            }), "another thread");
            assertEquals(List.of(id), fs.vnodes(), "a refused batch operation created or deleted a vnode");
            assertEquals(List.of(descriptor), fs.descriptors(Descriptor.VOLUME));
            assertArrayEquals(new byte[] {7}, fs.readDescriptor(descriptor).payload());
            assertEquals(List.of(), fs.check());
        }
    }

    /** Listing the vnodes of a closed file system is refused like every other operation. */
    @Test
    void aClosedFileSystemRefusesToListItsVnodes() {
        SuperFileSystem fs = SuperFileSystem.format(new MemoryDevice("cl", 512), SMALL);
        fs.create(100);
        fs.close();
        assertThrows(SfsClosedException.class, fs::vnodes);
    }

    private static byte[] read(SuperFileSystem fs, VnodeId id, int length) {
        byte[] data = new byte[length];
        fs.read(id, 0, MemorySegment.ofArray(data));
        return data;
    }

    private static void assertMentions(Throwable e, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), () -> e.getMessage() + " does not mention " + fragment);
        }
    }
}

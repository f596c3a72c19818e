package io.coems.sfs;

import io.coems.matrix.Blocks;
import io.coems.matrix.device.MemoryDevice;
import io.coems.sfs.format.Geometry;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The claim case: a pointer with its owner bit clear whose block has count 1 is claimed
 * without a copy; a claimed index block must clear its entries' owner bits, because its
 * children may still be shared with a copy made earlier.
 */
class ClaimProperties {
    /** Logical blocks under one leaf index block. */
    private static final long LEAF = Geometry.INDEX_ENTRIES;

    private static byte[] random(int length, long seed) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static byte[] read(SuperFileSystem fs, VnodeId id, long block) {
        byte[] data = new byte[Blocks.SIZE];
        fs.read(id, Blocks.bytes(block), MemorySegment.ofArray(data));
        return data;
    }

    @Property(tries = 40)
    void claimedIndexBlocksKeepTheirChildrenShared(@ForAll @IntRange(min = 1, max = 200) int other,
            @ForAll @IntRange(max = Blocks.SIZE - 100) int offset, @ForAll long seed) {
        MemoryDevice store = new MemoryDevice("claim", 1024);
        try (SuperFileSystem fs = SuperFileSystem.format(store, SfsModelProperties.SMALL)) {
            VnodeId a = fs.create(Blocks.bytes(2 * LEAF));
            byte[] original = random(Blocks.SIZE, seed);
            byte[] second = random(Blocks.SIZE, seed + 1);
            fs.write(a, 0, MemorySegment.ofArray(original));
            fs.write(a, Blocks.bytes(other), MemorySegment.ofArray(second));
            VnodeId b = fs.spawn(a);

            // b writes under another leaf of the same root index: b copies the root index (and makes
            // itself a new leaf). Now a's root index has count 1 again, but its leaf index is shared
            // with b's copy of the root index (count 2), and a's root index still says it owns it.
            fs.write(b, Blocks.bytes(LEAF) + offset, MemorySegment.ofArray(random(50, seed + 2)));
            long free = fs.freeBlocks();

            // a writes block `other`: its root index is claimed (count 1, no copy, entry bits cleared);
            // the shared leaf index and the shared data block are copied: exactly two new blocks.
            byte[] change = random(100, seed + 3);
            fs.write(a, Blocks.bytes(other) + offset, MemorySegment.ofArray(change));
            assertEquals(free - 2, fs.freeBlocks(), "claim the root index, copy the leaf index and the data");
            assertArrayEquals(second, read(fs, b, other), "b still sees the data of the spawn");
            byte[] expected = second.clone();
            System.arraycopy(change, 0, expected, offset, change.length);
            assertArrayEquals(expected, read(fs, a, other));
            assertEquals(List.of(), fs.check());

            // Without b, everything of a has count 1 again: a write claims its whole path, allocating nothing.
            fs.delete(b);
            free = fs.freeBlocks();
            fs.write(a, offset, MemorySegment.ofArray(change));
            assertEquals(free, fs.freeBlocks(), "a claim copies nothing");
            byte[] first = original.clone();
            System.arraycopy(change, 0, first, offset, change.length);
            assertArrayEquals(first, read(fs, a, 0));
            assertEquals(List.of(), fs.check());
        }
        store.close();
    }
}

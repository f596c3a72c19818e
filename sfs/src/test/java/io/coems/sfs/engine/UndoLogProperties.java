package io.coems.sfs.engine;

import io.coems.matrix.Blocks;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Whatever mix of u32 and whole-block changes was remembered, a roll-back restores every byte;
 * a block is kept whole once however often it is saved.
 */
class UndoLogProperties {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;

    @Property(tries = 200)
    void rollBackRestoresEveryByte(@ForAll @IntRange(max = 300) int changes, @ForAll long seed) {
        Random random = new Random(seed);
        byte[][] originals = new byte[3][Blocks.SIZE];
        MemorySegment[] blocks = new MemorySegment[3];
        for (int b = 0; b < blocks.length; b++) {
            random.nextBytes(originals[b]);
            blocks[b] = MemorySegment.ofArray(originals[b].clone());
        }
        UndoLog undo = new UndoLog();
        for (int i = 0; i < changes; i++) {
            MemorySegment block = blocks[random.nextInt(blocks.length)];
            if (random.nextInt(20) == 0) {
                undo.saveBlock(block);
                block.fill((byte) random.nextInt());
            } else {
                long offset = 4L * random.nextInt(8); // few offsets: many changes of the same entry
                undo.saveInt(block, offset);
                block.set(INT, offset, random.nextInt());
            }
        }
        undo.rollBack();
        for (int b = 0; b < blocks.length; b++) {
            assertArrayEquals(originals[b], blocks[b].toArray(ValueLayout.JAVA_BYTE), "block " + b);
        }
        undo.rollBack(); // a second roll-back has nothing left to undo
        for (int b = 0; b < blocks.length; b++) {
            assertArrayEquals(originals[b], blocks[b].toArray(ValueLayout.JAVA_BYTE), "block " + b);
        }
    }

    @Property(tries = 50)
    void clearKeepsTheChanges(@ForAll int value) {
        MemorySegment block = MemorySegment.ofArray(new byte[Blocks.SIZE]);
        UndoLog undo = new UndoLog();
        undo.saveInt(block, 8);
        block.set(INT, 8, value);
        undo.clear();
        undo.rollBack();
        assertEquals(value, block.get(INT, 8));
    }

    @Property(tries = 50)
    void aBlockSavedWholeAgainAndAgainIsKeptOnce(@ForAll @IntRange(min = 1, max = 1000) int saves, @ForAll long seed) {
        Random random = new Random(seed);
        byte[] original = new byte[Blocks.SIZE];
        random.nextBytes(original);
        MemorySegment block = MemorySegment.ofArray(original.clone());
        UndoLog undo = new UndoLog();
        for (int i = 0; i < saves; i++) {
            undo.saveBlock(block);
            block.set(INT, 4L * random.nextInt(Blocks.SIZE / 4), random.nextInt());
        }
        assertEquals(1, undo.wholeBlocks());
        undo.rollBack();
        assertArrayEquals(original, block.toArray(ValueLayout.JAVA_BYTE));
        undo.saveBlock(block); // a roll-back forgets it: the next save keeps it again
        assertEquals(1, undo.wholeBlocks());
    }
}

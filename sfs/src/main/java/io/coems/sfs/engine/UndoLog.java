package io.coems.sfs.engine;

import io.coems.matrix.Blocks;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import static io.coems.sfs.format.LittleEndian.INT;

/**
 * The old bytes of metadata a {@link Transaction} changed in place, so {@link #rollBack()} can
 * put them back: a u32 per changed pointer or count (no allocation per entry), or a whole
 * block where a change rewrites many entries. Entries are undone newest first, so a value
 * changed twice ends as it was before the first change. Not thread-safe.
 */
final class UndoLog {
    /** Marks an entry whose old content is a whole block, kept in {@link #blocks}. */
    private static final long WHOLE_BLOCK = -1;

    private MemorySegment[] targets = new MemorySegment[16];
    private long[] offsets = new long[16];
    /** The old u32, or for a whole block the index of its copy in {@link #blocks}. */
    private int[] olds = new int[16];
    private final List<byte[]> blocks = new ArrayList<>();
    /** The targets kept whole in {@link #blocks}, by identity. */
    private final Set<MemorySegment> wholeSaved = Collections.newSetFromMap(new IdentityHashMap<>());
    private int size;

    /** Remembers the u32 at {@code offset} of {@code target} before it changes. */
    void saveInt(MemorySegment target, long offset) {
        add(target, offset, target.get(INT, offset));
    }

    /**
     * Remembers all of {@code target}, a block, before it changes; once until the next
     * {@link #clear()} or {@link #rollBack()}, for the first copy already brings back every
     * byte changed after it.
     */
    void saveBlock(MemorySegment target) {
        if (!wholeSaved.add(target)) {
            return;
        }
        byte[] copy = new byte[Blocks.SIZE];
        MemorySegment.copy(target, 0, MemorySegment.ofArray(copy), 0, Blocks.SIZE);
        blocks.add(copy);
        add(target, WHOLE_BLOCK, blocks.size() - 1);
    }

    /** Puts every remembered byte back, newest change first, and forgets them. */
    void rollBack() {
        for (int i = size - 1; i >= 0; i--) {
            if (offsets[i] == WHOLE_BLOCK) {
                MemorySegment.copy(MemorySegment.ofArray(blocks.get(olds[i])), 0, targets[i], 0, Blocks.SIZE);
            } else {
                targets[i].set(INT, offsets[i], olds[i]);
            }
        }
        clear();
    }

    /** Forgets every remembered byte (the changes stay). */
    void clear() {
        Arrays.fill(targets, 0, size, null);
        blocks.clear();
        wholeSaved.clear();
        size = 0;
    }

    /** Whole blocks remembered. */
    int wholeBlocks() {
        return blocks.size();
    }

    private void add(MemorySegment target, long offset, int old) {
        if (size == targets.length) {
            targets = Arrays.copyOf(targets, size * 2);
            offsets = Arrays.copyOf(offsets, size * 2);
            olds = Arrays.copyOf(olds, size * 2);
        }
        targets[size] = target;
        offsets[size] = offset;
        olds[size] = old;
        size++;
    }
}

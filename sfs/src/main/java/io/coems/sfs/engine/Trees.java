package io.coems.sfs.engine;

import io.coems.sfs.BlockRange;
import io.coems.sfs.VnodeSpace;
import io.coems.sfs.format.MetaBlock;
import io.coems.sfs.format.Pointers;
import io.coems.sfs.format.VnodeRecord;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static io.coems.sfs.format.LittleEndian.INT;

/**
 * Read-only walks over the block maps of {@link BlockMap}: what a vnode's tree costs, and where
 * two trees differ. Both follow only what is mapped, and a subtree two vnodes share (the same
 * block at the same place) is skipped whole, so the cost follows the differences, not the size.
 * The caller holds the metadata lock, so counts and trees are one consistent state.
 */
final class Trees {
    private static final int ENTRIES = BlockMap.ENTRIES;
    /** Tree levels under a root: the L1 index block is level 2, data blocks level 0. */
    private static final int ROOT_LEVEL = 2;

    private final BlockCounts counts;

    Trees(BlockCounts counts) {
        this.counts = counts;
    }

    /** The space the tree of {@code record} takes. */
    VnodeSpace space(MetaView view, VnodeRecord record) {
        long[] tally = new long[3];
        for (int r = 0; r < VnodeRecord.ROOTS; r++) {
            tally(view, record.root(r), ROOT_LEVEL, true, tally);
        }
        return new VnodeSpace(tally[0], tally[1], tally[2]);
    }

    /** Adds the subtree under {@code pointer} to {mapped, exclusive, reclaimable}. */
    private void tally(MetaView view, int pointer, int level, boolean exclusivePath, long[] tally) {
        if (pointer == 0) {
            return;
        }
        long block = Pointers.block(pointer);
        boolean exclusive = exclusivePath && counts.get(view, block) == 1;
        if (exclusive) {
            tally[2]++;
        }
        if (level == 0) {
            tally[0]++;
            if (exclusive) {
                tally[1]++;
            }
            return;
        }
        MemorySegment entries = view.read(block, MetaBlock.Kind.INDEX);
        for (int i = 0; i < ENTRIES; i++) {
            tally(view, entries.get(INT, 4L * i), level - 1, exclusive, tally);
        }
    }

    /**
     * The logical blocks whose data blocks differ between the trees of {@code a} and {@code b}
     * (null: an empty tree, which makes this the mapped ranges of {@code a}), in order, with
     * adjacent blocks merged into one range.
     */
    List<BlockRange> diff(MetaView view, VnodeRecord a, VnodeRecord b) {
        List<BlockRange> ranges = new ArrayList<>();
        long[] open = {-1, 0};
        for (int r = 0; r < VnodeRecord.ROOTS; r++) {
            compare(view, a.root(r), b == null ? 0 : b.root(r), ROOT_LEVEL, r * BlockMap.PER_ROOT, open, ranges);
        }
        if (open[0] >= 0) {
            ranges.add(new BlockRange(open[0], open[1]));
        }
        return ranges;
    }

    private void compare(MetaView view, int pa, int pb, int level, long firstBlock, long[] open,
            List<BlockRange> ranges) {
        if (Pointers.block(pa) == Pointers.block(pb)) {
            return;
        }
        if (level == 0) {
            if (open[0] >= 0 && open[0] + open[1] == firstBlock) {
                open[1]++;
            } else {
                if (open[0] >= 0) {
                    ranges.add(new BlockRange(open[0], open[1]));
                }
                open[0] = firstBlock;
                open[1] = 1;
            }
            return;
        }
        MemorySegment ea = pa == 0 ? null : view.read(Pointers.block(pa), MetaBlock.Kind.INDEX);
        MemorySegment eb = pb == 0 ? null : view.read(Pointers.block(pb), MetaBlock.Kind.INDEX);
        long span = level == ROOT_LEVEL ? ENTRIES : 1;
        for (int i = 0; i < ENTRIES; i++) {
            int ca = ea == null ? 0 : ea.get(INT, 4L * i);
            int cb = eb == null ? 0 : eb.get(INT, 4L * i);
            compare(view, ca, cb, level - 1, firstBlock + i * span, open, ranges);
        }
    }
}

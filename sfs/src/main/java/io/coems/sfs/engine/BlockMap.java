package io.coems.sfs.engine;

import io.coems.sfs.format.Geometry;
import io.coems.sfs.format.MetaBlock;
import io.coems.sfs.format.Pointers;
import io.coems.sfs.format.VnodeRecord;

import java.lang.foreign.MemorySegment;

import static io.coems.sfs.format.LittleEndian.INT;

/**
 * A vnode's map from logical to physical blocks: {@link VnodeRecord#ROOTS} two-level radix
 * trees of index blocks, each index block holding {@link Geometry#INDEX_ENTRIES} pointers.
 *
 * <pre>
 *  logical block lb:  root r = lb / E^2,  i1 = (lb / E) mod E,  i0 = lb mod E   (E = 16382)
 *
 *  vnode record            L1 index block          L0 index block          data block
 *  roots[r] ------------>  entry[i1] ----------->  entry[i0] ----------->  64 KiB
 * </pre>
 *
 * <p>Copy-on-write follows the owner bits down from the vnode: a pointer whose bit is set
 * along the whole path is exclusively this vnode's, and its block is changed in place. Any
 * other pointer is resolved from the reference count: a count of 1 means this pointer is the
 * last one, and the block is <em>claimed</em> (owner bit set, no copy; a claimed index block
 * has its entries' bits cleared, for its children may still be shared); a higher count means
 * the block is <em>copied</em> to a new one (an index copy adds a reference to each child and
 * carries no owner bits) and the old block loses a reference. A write that covers a whole
 * shared data block allocates without copying.
 */
final class BlockMap {
    static final int ENTRIES = Geometry.INDEX_ENTRIES;
    static final long PER_ROOT = (long) ENTRIES * ENTRIES;
    /** Logical blocks a vnode can address. */
    static final long MAX_BLOCKS = VnodeRecord.ROOTS * PER_ROOT;

    private static final long NEW_BLOCK = -1;

    /** Where a write's data goes. */
    record Target(long block, long copyFrom, boolean zeroFill) {
    }

    private final BlockCounts counts;
    private final VnodeTable vnodes;

    BlockMap(BlockCounts counts, VnodeTable vnodes) {
        this.counts = counts;
        this.vnodes = vnodes;
    }

    /**
     * The data pointer of logical block {@code lb} in {@code view}, with the owner bit set
     * only if the whole path is exclusive; 0 for a hole.
     */
    int lookup(MetaView view, VnodeRecord record, long lb) {
        int root = record.root((int) (lb / PER_ROOT));
        if (root == 0) {
            return 0;
        }
        int l1 = entry(view, root, (int) (lb / ENTRIES % ENTRIES));
        if (l1 == 0) {
            return 0;
        }
        int data = entry(view, l1, (int) (lb % ENTRIES));
        boolean exclusive = Pointers.owned(root) && Pointers.owned(l1) && Pointers.owned(data);
        return exclusive ? data : Pointers.shared(data);
    }

    private static int entry(MetaView view, int indexPointer, int i) {
        return view.read(Pointers.block(indexPointer), MetaBlock.Kind.INDEX).get(INT, 4L * i);
    }

    /**
     * Makes logical block {@code lb} of vnode {@code index} writable by this vnode alone and
     * returns where its data goes: in place, into a copy of {@code copyFrom} (partial writes
     * over shared blocks), or into a new block to be zero-filled around the write.
     */
    Target prepareWrite(Transaction tx, int index, long lb, boolean whole, long home) {
        long l1 = Pointers.block(own(tx, vnodes.rootBlock(index), MetaBlock.Kind.VNODE_TABLE,
                vnodes.rootOffset(index, (int) (lb / PER_ROOT)), true, home, null));
        long l0 = Pointers.block(own(tx, l1, MetaBlock.Kind.INDEX, 4L * (lb / ENTRIES % ENTRIES), true, l1, null));
        int i0 = (int) (lb % ENTRIES);
        long goal = i0 > 0 && entryBlock(tx, l0, i0 - 1) != 0 ? entryBlock(tx, l0, i0 - 1) + 1 : l0 + 1;
        long[] copy = {0};
        long data = Pointers.block(own(tx, l0, MetaBlock.Kind.INDEX, 4L * i0, false, goal, copy));
        return new Target(data, whole ? 0 : Math.max(0, copy[0]), !whole && copy[0] == NEW_BLOCK);
    }

    private static long entryBlock(MetaView view, long indexBlock, int i) {
        return Pointers.block(view.read(indexBlock, MetaBlock.Kind.INDEX).get(INT, 4L * i));
    }

    /**
     * Makes the target of the pointer at ({@code holder}, {@code offset}) exclusive, the holder
     * being exclusive already, and returns the owned pointer. For data blocks {@code copy[0]}
     * reports the old block to copy from (a copied shared block), or {@link #NEW_BLOCK}, or
     * stays 0 (owned or claimed: write in place).
     */
    private int own(Transaction tx, long holder, MetaBlock.Kind holderKind, long offset, boolean index, long goal,
            long[] copy) {
        int pointer = tx.read(holder, holderKind).get(INT, offset);
        if (pointer != 0 && Pointers.owned(pointer)) {
            return pointer;
        }
        int owned;
        if (pointer == 0) {
            long block = counts.allocate(tx, goal, tx.mayUseReserve());
            if (index) {
                tx.fresh(block, MetaBlock.Kind.INDEX);
            } else {
                copy[0] = NEW_BLOCK;
            }
            owned = Pointers.of(block, true);
        } else {
            long block = Pointers.block(pointer);
            // A data block is written in place once claimed: claim it only if its count is 1 in
            // the durable state too, or a crash would show the write to the vnode it was shared with.
            if (counts.get(tx, block) == 1 && (index || tx.stable(block))) {
                if (index) {
                    clearOwnerBits(tx.modify(block, MetaBlock.Kind.INDEX));
                }
                owned = Pointers.of(block, true);
            } else {
                long fresh = counts.allocate(tx, goal, tx.mayUseReserve());
                if (index) {
                    MemorySegment source = tx.read(block, MetaBlock.Kind.INDEX);
                    MemorySegment target = tx.fresh(fresh, MetaBlock.Kind.INDEX);
                    for (int i = 0; i < ENTRIES; i++) {
                        int child = source.get(INT, 4L * i);
                        if (child != 0) {
                            counts.increment(tx, Pointers.block(child));
                            target.set(INT, 4L * i, Pointers.shared(child));
                        }
                    }
                } else {
                    copy[0] = block;
                }
                counts.decrement(tx, block);
                owned = Pointers.of(fresh, true);
            }
        }
        tx.setInt(holder, holderKind, offset, owned);
        return owned;
    }

    private static void clearOwnerBits(MemorySegment indexBlock) {
        for (int i = 0; i < ENTRIES; i++) {
            int entry = indexBlock.get(INT, 4L * i);
            if (Pointers.owned(entry)) {
                indexBlock.set(INT, 4L * i, Pointers.shared(entry));
            }
        }
    }

    /**
     * The first logical block in {@code [lb, end)} that has a data block, or {@code end}: empty
     * roots and empty index entries are skipped whole, so the cost follows what is mapped.
     */
    long nextMapped(MetaView view, VnodeRecord record, long lb, long end) {
        while (lb < end) {
            int root = record.root((int) (lb / PER_ROOT));
            if (root == 0) {
                lb = (lb / PER_ROOT + 1) * PER_ROOT;
                continue;
            }
            int leaf = entry(view, root, (int) (lb / ENTRIES % ENTRIES));
            if (leaf == 0) {
                lb = (lb / ENTRIES + 1) * ENTRIES;
                continue;
            }
            MemorySegment entries = view.read(Pointers.block(leaf), MetaBlock.Kind.INDEX);
            for (long i = lb % ENTRIES; i < ENTRIES && lb < end; i++, lb++) {
                if (entries.get(INT, 4 * i) != 0) {
                    return lb;
                }
            }
        }
        return end;
    }

    /**
     * Drops logical block {@code lb} of vnode {@code index}: it reads as zeros afterwards and
     * its block loses a reference. Shared index blocks on the path are copied first; holes
     * cost nothing.
     */
    void discard(Transaction tx, int index, long lb, long home) {
        VnodeRecord record = vnodes.read(tx, index);
        int r = (int) (lb / PER_ROOT);
        int i1 = (int) (lb / ENTRIES % ENTRIES);
        int i0 = (int) (lb % ENTRIES);
        int root = record.root(r);
        if (root == 0 || entry(tx, root, i1) == 0 || entry(tx, entry(tx, root, i1), i0) == 0) {
            return;
        }
        long l1 = Pointers.block(own(tx, vnodes.rootBlock(index), MetaBlock.Kind.VNODE_TABLE,
                vnodes.rootOffset(index, r), true, home, null));
        long l0 = Pointers.block(own(tx, l1, MetaBlock.Kind.INDEX, 4L * i1, true, l1, null));
        int data = tx.read(l0, MetaBlock.Kind.INDEX).get(INT, 4L * i0);
        counts.decrement(tx, Pointers.block(data));
        tx.setInt(l0, MetaBlock.Kind.INDEX, 4L * i0, 0);
    }

    /**
     * Releases the tree under the pointer at ({@code holder}, {@code offset}) bottom up, at most
     * {@code budget[0]} references per call: a block shared with others just loses this
     * reference, a block only this pointer holds first releases its children (zeroing its
     * entries as it goes), then itself. Every step leaves a consistent tree, so a release can
     * stop at any point and resume later. Returns whether the pointer is now 0.
     *
     * @param level 2 for a root (L1 index block), 1 for an L1 entry (L0 block), 0 for data
     */
    boolean release(Transaction tx, long holder, MetaBlock.Kind holderKind, long offset, int level, int[] budget) {
        int pointer = tx.read(holder, holderKind).get(INT, offset);
        if (pointer == 0) {
            return true;
        }
        long block = Pointers.block(pointer);
        if (level > 0 && counts.get(tx, block) == 1) {
            for (int i = 0; i < ENTRIES; i++) {
                if (budget[0] <= 0) {
                    return false;
                }
                if (!release(tx, block, MetaBlock.Kind.INDEX, 4L * i, level - 1, budget)) {
                    return false;
                }
            }
        }
        if (budget[0] <= 0) {
            return false;
        }
        counts.decrement(tx, block);
        tx.setInt(holder, holderKind, offset, 0);
        budget[0]--;
        return true;
    }
}

package io.coems.sfs.engine;

import io.coems.sfs.SfsCorruptException;
import io.coems.sfs.SfsNoSpaceException;
import io.coems.sfs.format.Geometry;
import io.coems.sfs.format.MetaBlock;

import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;

import static io.coems.sfs.format.LittleEndian.INT;

/**
 * Reference counts, the truth about which data blocks are in use: one u32 per block of a
 * group, in the group's reference-count blocks ({@link Geometry#countBlock}). A block with
 * count 0 is free; a count is the number of pointers (in vnode records and index blocks) that
 * name the block. Allocation takes a free block as near a goal block as it can (its group
 * first, then the following groups), and leaves the reserved blocks to callers that must not
 * fail for want of space.
 */
final class BlockCounts {

    private final Supplier<Geometry> layout;
    private final GroupTable groups;
    private final long reserved;

    BlockCounts(Supplier<Geometry> layout, GroupTable groups, long reserved) {
        this.layout = layout;
        this.groups = groups;
        this.reserved = reserved;
    }

    /** The layout now: it changes only under the metadata lock, when the file system grows. */
    private Geometry geometry() {
        return layout.get();
    }

    /** The number of data blocks of group {@code g} with count 0. */
    int freeIn(MetaView view, int g) {
        int free = 0;
        for (long b = geometry().firstData(g); b < geometry().groupEnd(g); b++) {
            free += get(view, b) == 0 ? 1 : 0;
        }
        return free;
    }

    /** The count of {@code block}. */
    int get(MetaView view, long block) {
        checkData(block);
        return view.read(geometry().countBlock(block), MetaBlock.Kind.REFCOUNT).get(INT, geometry().countOffset(block));
    }

    /** Adds one reference to an allocated block. */
    void increment(Transaction tx, long block) {
        int count = get(tx, block);
        if (count <= 0) {
            throw new SfsCorruptException("block " + block + " is referenced but its count is " + count);
        }
        put(tx, block, count + 1);
    }

    /** Drops one reference; a block whose count reaches 0 is free again. Returns the new count. */
    int decrement(Transaction tx, long block) {
        int count = get(tx, block);
        if (count <= 0) {
            throw new SfsCorruptException("block " + block + " is released but its count is " + count);
        }
        put(tx, block, count - 1);
        if (count == 1) {
            groups.addFreeBlocks(tx, geometry().groupOf(block), 1);
            tx.freed(block);
        } else {
            tx.decreased(block);
        }
        return count - 1;
    }

    /**
     * Takes a free block near {@code goal} and gives it count 1.
     *
     * @param useReserve whether the reserved blocks may be taken
     * @throws SfsNoSpaceException if no block is free (beyond the reserve)
     */
    long allocate(Transaction tx, long goal, boolean useReserve) {
        long free = groups.totalFreeBlocks(tx);
        if (free == 0 || (!useReserve && free <= reserved)) {
            throw new SfsNoSpaceException("no free block: " + free + " free, " + reserved + " reserved for deletes");
        }
        int first = goal > 0 && goal < geometry().totalBlocks() ? geometry().groupOf(goal) : 0;
        for (int i = 0; i < geometry().groups(); i++) {
            int g = (first + i) % geometry().groups();
            if (groups.freeBlocks(tx, g) > 0) {
                long start = i == 0 && goal > geometry().firstData(g) ? goal : geometry().firstData(g);
                long block = scan(tx, g, start);
                if (block < 0) {
                    continue;
                }
                put(tx, block, 1);
                groups.addFreeBlocks(tx, g, -1);
                return block;
            }
        }
        throw new SfsNoSpaceException("no reusable free block: " + free + " blocks are free but were freed by"
                + " changes not yet committed");
    }

    /** The first free block of group {@code g} at or after {@code start}, wrapping round; -1 if none. */
    private long scan(Transaction tx, int g, long start) {
        long found = scan(tx, start, geometry().groupEnd(g));
        return found >= 0 ? found : scan(tx, geometry().firstData(g), start);
    }

    /** The first free, reusable block in {@code [from, to)}, or -1; each count block is looked up once. */
    private long scan(Transaction tx, long from, long to) {
        MemorySegment counts = null;
        long countBlock = -1;
        for (long block = from; block < to; block++) {
            if (geometry().countBlock(block) != countBlock) {
                countBlock = geometry().countBlock(block);
                counts = tx.read(countBlock, MetaBlock.Kind.REFCOUNT);
            }
            if (counts.get(INT, geometry().countOffset(block)) == 0 && tx.reusable(block)) {
                return block;
            }
        }
        return -1;
    }

    /** Sets a count directly (format and repair). */
    void put(Transaction tx, long block, int count) {
        tx.setInt(geometry().countBlock(block), MetaBlock.Kind.REFCOUNT, geometry().countOffset(block), count);
    }

    /** Whether {@code block} is a data block (a pointer may name it). */
    boolean isData(long block) {
        if (block <= 0 || block >= geometry().totalBlocks()) {
            return false;
        }
        return block >= geometry().firstData(geometry().groupOf(block));
    }

    private void checkData(long block) {
        if (!isData(block)) {
            throw new SfsCorruptException("a pointer names block " + block + ", which is not a data block");
        }
    }
}

package io.coems.sfs.engine;

import io.coems.sfs.SfsCorruptException;
import io.coems.sfs.SfsNoSpaceException;
import io.coems.sfs.format.Geometry;
import io.coems.sfs.format.MetaBlock;
import io.coems.sfs.format.VnodeRecord;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.Supplier;

/**
 * Vnode slots: per group a bitmap (bit i of the group's bitmap block = slot i in use, in the
 * block's payload, byte i/8, bit i%8) and a table of {@link VnodeRecord}s. A freed slot keeps
 * its generation, plus one, so an id naming the old vnode is recognised as stale.
 */
final class VnodeTable {
    private final Supplier<Geometry> layout;
    private final GroupTable groups;

    VnodeTable(Supplier<Geometry> layout, GroupTable groups) {
        this.layout = layout;
        this.groups = groups;
    }

    /** The layout now: it changes only under the metadata lock, when the file system grows. */
    private Geometry geometry() {
        return layout.get();
    }

    /** The record of slot {@code index} for reading. */
    VnodeRecord read(MetaView view, int index) {
        return new VnodeRecord().wrap(view.read(geometry().vnodeBlock(index), MetaBlock.Kind.VNODE_TABLE),
                geometry().vnodeOffset(index));
    }

    /** The record of slot {@code index} for changing, inside {@code tx}. */
    VnodeRecord modify(Transaction tx, int index) {
        return new VnodeRecord().wrap(tx.modify(geometry().vnodeBlock(index), MetaBlock.Kind.VNODE_TABLE),
                geometry().vnodeOffset(index));
    }

    /** Where root pointer {@code r} of vnode {@code index} is stored: (block, byte offset). */
    long rootBlock(int index) {
        return geometry().vnodeBlock(index);
    }

    long rootOffset(int index, int r) {
        return geometry().vnodeOffset(index) + VnodeRecord.rootOffset(r);
    }

    /**
     * Takes a free slot, from group {@code preferred} or the next group with one, marks it in
     * use and returns its index; the record is zeroed except its (at least 1) generation.
     *
     * @throws SfsNoSpaceException if every slot is taken
     */
    int allocate(Transaction tx, int preferred) {
        for (int i = 0; i < geometry().groups(); i++) {
            int g = (preferred + i) % geometry().groups();
            if (groups.freeVnodes(tx, g) == 0) {
                continue;
            }
            MemorySegment bitmap = tx.read(geometry().vnodeBitmap(g), MetaBlock.Kind.VNODE_BITMAP);
            for (int slot = 0; slot < geometry().vnodesPerGroup(); slot++) {
                if (!bit(bitmap, slot)) {
                    setBit(tx.modify(geometry().vnodeBitmap(g), MetaBlock.Kind.VNODE_BITMAP), slot, true);
                    groups.addFreeVnodes(tx, g, -1);
                    int index = g * geometry().vnodesPerGroup() + slot;
                    VnodeRecord record = modify(tx, index);
                    record.clearKeepingGeneration();
                    record.generation(record.generation() == 0 ? 1 : record.generation()); // 0 only in a never-used slot
                    record.flags(VnodeRecord.IN_USE);
                    return index;
                }
            }
            throw new SfsCorruptException("group " + g + " claims free vnode slots but its bitmap is full");
        }
        throw new SfsNoSpaceException("no free vnode slot: all " + geometry().vnodes() + " are in use");
    }

    /** Frees slot {@code index}: clears its record and bit, and advances its generation. */
    void free(Transaction tx, int index) {
        int g = index / geometry().vnodesPerGroup();
        VnodeRecord record = modify(tx, index);
        int next = record.generation() + 1;
        record.clearKeepingGeneration();
        record.generation(next == 0 ? 1 : next);
        setBit(tx.modify(geometry().vnodeBitmap(g), MetaBlock.Kind.VNODE_BITMAP), index % geometry().vnodesPerGroup(),
                false);
        groups.addFreeVnodes(tx, g, 1);
    }

    /** The number of slots of group {@code g} not marked in use in its bitmap. */
    int freeIn(MetaView view, int g) {
        int free = 0;
        for (int slot = 0; slot < geometry().vnodesPerGroup(); slot++) {
            free += marked(view, g * geometry().vnodesPerGroup() + slot) ? 0 : 1;
        }
        return free;
    }

    /** Whether slot {@code index} is marked in use in its group's bitmap. */
    boolean marked(MetaView view, int index) {
        int g = index / geometry().vnodesPerGroup();
        return bit(view.read(geometry().vnodeBitmap(g), MetaBlock.Kind.VNODE_BITMAP), index % geometry().vnodesPerGroup());
    }

    /** Sets or clears the bitmap bit of slot {@code index} (repair). */
    void mark(Transaction tx, int index, boolean inUse) {
        int g = index / geometry().vnodesPerGroup();
        setBit(tx.modify(geometry().vnodeBitmap(g), MetaBlock.Kind.VNODE_BITMAP), index % geometry().vnodesPerGroup(), inUse);
    }

    private static boolean bit(MemorySegment bitmap, int slot) {
        return (bitmap.get(ValueLayout.JAVA_BYTE, slot >>> 3) & (1 << (slot & 7))) != 0;
    }

    private static void setBit(MemorySegment bitmap, int slot, boolean value) {
        byte b = bitmap.get(ValueLayout.JAVA_BYTE, slot >>> 3);
        int mask = 1 << (slot & 7);
        bitmap.set(ValueLayout.JAVA_BYTE, slot >>> 3, (byte) (value ? b | mask : b & ~mask));
    }
}

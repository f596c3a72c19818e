package io.coems.sfs.engine;

import io.coems.sfs.format.Geometry;
import io.coems.sfs.format.MetaBlock;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The group-descriptor table: per group, its free data blocks and free vnode slots, so an
 * allocation finds a group with room without scanning. The primary copy (group 0) is kept
 * current; the backups in the other groups are written at format and by repair.
 *
 * <pre>
 *  group descriptor, 32 bytes (little-endian), Geometry.DESCRIPTORS_PER_BLOCK per table block
 *  0   4   free data blocks
 *  4   4   free vnode slots
 *  8   24  reserved, 0
 * </pre>
 */
final class GroupTable {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;

    private final Geometry geometry;

    GroupTable(Geometry geometry) {
        this.geometry = geometry;
    }

    private long block(int g) {
        return geometry.tableBlock(0, g / Geometry.DESCRIPTORS_PER_BLOCK);
    }

    private long offset(int g) {
        return (long) (g % Geometry.DESCRIPTORS_PER_BLOCK) * Geometry.GROUP_DESCRIPTOR_SIZE;
    }

    int freeBlocks(MetaView view, int g) {
        return view.read(block(g), MetaBlock.Kind.GROUP_TABLE).get(INT, offset(g));
    }

    int freeVnodes(MetaView view, int g) {
        return view.read(block(g), MetaBlock.Kind.GROUP_TABLE).get(INT, offset(g) + 4);
    }

    void addFreeBlocks(Transaction tx, int g, int delta) {
        MemorySegment s = tx.modify(block(g), MetaBlock.Kind.GROUP_TABLE);
        s.set(INT, offset(g), s.get(INT, offset(g)) + delta);
    }

    void addFreeVnodes(Transaction tx, int g, int delta) {
        MemorySegment s = tx.modify(block(g), MetaBlock.Kind.GROUP_TABLE);
        s.set(INT, offset(g) + 4, s.get(INT, offset(g) + 4) + delta);
    }

    void set(Transaction tx, int g, int freeBlocks, int freeVnodes) {
        MemorySegment s = tx.modify(block(g), MetaBlock.Kind.GROUP_TABLE);
        s.set(INT, offset(g), freeBlocks);
        s.set(INT, offset(g) + 4, freeVnodes);
    }

    long totalFreeBlocks(MetaView view) {
        long sum = 0;
        for (int g = 0; g < geometry.groups(); g++) {
            sum += freeBlocks(view, g);
        }
        return sum;
    }
}

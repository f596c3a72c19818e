package io.coems.sfs.engine;

import io.coems.sfs.format.Geometry;
import io.coems.sfs.format.MetaBlock;

import java.util.function.Supplier;

import static io.coems.sfs.format.LittleEndian.INT;

/**
 * The group-descriptor table: per group, its free data blocks and free vnode slots, so an
 * allocation finds a group with room without scanning, and its size, so a growth is committed
 * with the journal record that describes the new groups ({@code Growth}). The primary copy
 * (group 0) is kept current; the backups in the other groups are written at format, by growth
 * and by repair.
 *
 * <pre>
 *  group descriptor, 32 bytes (little-endian), Geometry.DESCRIPTORS_PER_BLOCK per table block
 *  0   4   free data blocks
 *  4   4   free vnode slots
 *  8   4   blocks of the group (0: not in use, or written without the GROWTH feature)
 *  12  20  reserved, 0
 * </pre>
 */
final class GroupTable {

    private final Supplier<Geometry> geometry;

    /** A table laid out and sized by {@code geometry}, asked anew at each use (it grows). */
    GroupTable(Supplier<Geometry> geometry) {
        this.geometry = geometry;
    }

    private long block(int g) {
        return geometry.get().tableBlock(0, g / Geometry.DESCRIPTORS_PER_BLOCK);
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

    /** The size group {@code g}'s descriptor records: 0 for a group not in use. */
    int blocks(MetaView view, int g) {
        return view.read(block(g), MetaBlock.Kind.GROUP_TABLE).get(INT, offset(g) + 8);
    }

    void addFreeBlocks(Transaction tx, int g, int delta) {
        tx.setInt(block(g), MetaBlock.Kind.GROUP_TABLE, offset(g), freeBlocks(tx, g) + delta);
        tx.freeBlocksChanged(delta);
    }

    void addFreeVnodes(Transaction tx, int g, int delta) {
        tx.setInt(block(g), MetaBlock.Kind.GROUP_TABLE, offset(g) + 4, freeVnodes(tx, g) + delta);
    }

    /** Writes group {@code g}'s whole descriptor: its free counts, and its size in the geometry. */
    void set(Transaction tx, int g, int freeBlocks, int freeVnodes) {
        Geometry layout = geometry.get();
        tx.freeBlocksChanged(freeBlocks - freeBlocks(tx, g));
        tx.setInt(block(g), MetaBlock.Kind.GROUP_TABLE, offset(g), freeBlocks);
        tx.setInt(block(g), MetaBlock.Kind.GROUP_TABLE, offset(g) + 4, freeVnodes);
        tx.setInt(block(g), MetaBlock.Kind.GROUP_TABLE, offset(g) + 8, (int) (layout.groupEnd(g) - layout.groupStart(g)));
    }

    long totalFreeBlocks(MetaView view) {
        long sum = 0;
        int groups = geometry.get().groups();
        for (int g = 0; g < groups; g++) {
            sum += freeBlocks(view, g);
        }
        return sum;
    }
}

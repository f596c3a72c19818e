package io.coems.sfs.engine;

import io.coems.sfs.SfsFormatException;
import io.coems.sfs.format.Geometry;
import io.coems.sfs.format.MetaBlock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Online growth: once the store under the file system has more blocks, fills up a last partial
 * group and adds the whole groups that now fit (a last one too small for its metadata and one
 * data block is left out, as format does). The group-descriptor table was reserved at format
 * for the largest size ({@link Geometry#maxBlocks()}), so no existing metadata moves and vnode
 * I/O to the existing groups goes on; the caller holds the metadata lock.
 *
 * <p>One journal record is the commit point. In order:
 * <ol>
 *   <li>the new groups' empty metadata (reference counts, vnode bitmap, vnode table) is
 *       written in place and flushed: it lies beyond the file system, nothing names it yet;</li>
 *   <li>one transaction writes the new groups' descriptors, and the grown last group's size
 *       and free count, into the primary table, and commits durably: <b>the growth has
 *       happened</b>;</li>
 *   <li>the engine takes on the larger geometry; the changed table blocks and the new
 *       superblock are copied to every group, flushed, and then the primary superblock.</li>
 * </ol>
 * A power cut before the commit point leaves the file system as it was. After it, open finds a
 * primary table that describes more blocks than the primary superblock and does step 3 again
 * ({@link #resume}).
 */
final class Growth {
    private static final Logger LOG = LoggerFactory.getLogger(Growth.class);

    private final Engine engine;

    Growth(Engine engine) {
        this.engine = engine;
    }

    /** Adds group {@code g}'s empty metadata to {@code tx}: reference counts, vnode bitmap, vnode table. */
    static void freshGroup(Transaction tx, Geometry geometry, int g) {
        for (long b = geometry.countBlock(geometry.groupStart(g)); b < geometry.vnodeBitmap(g); b++) {
            tx.fresh(b, MetaBlock.Kind.REFCOUNT);
        }
        tx.fresh(geometry.vnodeBitmap(g), MetaBlock.Kind.VNODE_BITMAP);
        for (int i = 0; i < geometry.vnodeTableBlocks(); i++) {
            tx.fresh(geometry.vnodeBitmap(g) + 1 + i, MetaBlock.Kind.VNODE_TABLE);
        }
    }

    /**
     * Grows into whatever the store has beyond the file system; durable when it returns.
     *
     * @return the data blocks of the file system, grown or not
     * @throws io.coems.sfs.SfsArgumentException if the store exceeds the maximum reserved at
     *                                           format (nothing is changed)
     */
    long grow() {
        Geometry old = engine.geometry();
        Geometry grown = old.grownTo(engine.cache().store().blockCount());
        if (grown.totalBlocks() == old.totalBlocks()) {
            return old.totalDataBlocks();
        }
        writeNewGroups(old, grown);
        commitTable(old, grown);
        adopt(old, grown);
        LOG.info("SFS {} grew from {} to {} blocks: {} groups, {} data blocks, {} vnodes", engine.superblock().id(),
                old.totalBlocks(), grown.totalBlocks(), grown.groups(), grown.totalDataBlocks(), grown.vnodes());
        return grown.totalDataBlocks();
    }

    /**
     * Completes a growth whose table record is durable but whose superblocks were not all
     * written: called by open, before anything else uses the file system.
     *
     * @throws SfsFormatException if the table describes more blocks than the store has
     */
    static void resume(Engine engine, List<String> notes) {
        engine.metaLock().lock();
        try {
            Geometry recorded = engine.geometry();
            GroupTable table = engine.groups();
            int last = recorded.groups() - 1;
            while (last + 1 < recorded.maxGroups() && table.blocks(engine.cache(), last + 1) > 0) {
                last++;
            }
            long described = recorded.groupStart(last) + table.blocks(engine.cache(), last);
            if (described <= recorded.totalBlocks()) {
                return;
            }
            long storeBlocks = engine.cache().store().blockCount();
            if (described > storeBlocks) {
                throw new SfsFormatException("the group-descriptor table describes " + described
                        + " blocks but the store has " + storeBlocks);
            }
            new Growth(engine).adopt(recorded, recorded.grownTo(described));
            notes.add("completed an interrupted growth from " + recorded.totalBlocks() + " to " + described + " blocks");
        } finally {
            engine.metaLock().unlock();
        }
    }

    /** Step 1: the new groups' metadata, in place (one group at a time, to bound the memory). */
    private void writeNewGroups(Geometry old, Geometry grown) {
        for (int g = old.groups(); g < grown.groups(); g++) {
            try (Transaction tx = engine.beginUnjournaled()) {
                freshGroup(tx, grown, g);
                tx.commit();
            }
        }
        engine.flushStore();
    }

    /** Step 2, the commit point: the grown and the new groups' descriptors, in one durable record. */
    private void commitTable(Geometry old, Geometry grown) {
        GroupTable table = new GroupTable(() -> grown);
        int last = old.groups() - 1;
        try (Transaction tx = engine.begin()) {
            int added = (int) (grown.dataBlocks(last) - old.dataBlocks(last));
            table.set(tx, last, table.freeBlocks(tx, last) + added, table.freeVnodes(tx, last));
            for (int g = old.groups(); g < grown.groups(); g++) {
                table.set(tx, g, (int) grown.dataBlocks(g), grown.vnodesPerGroup());
            }
            tx.commit();
        }
        engine.durable();
    }

    /** Step 3: the larger geometry in memory, then the table and superblock copies, the primary last. */
    private void adopt(Geometry old, Geometry grown) {
        engine.adopt(engine.superblock().withGeometry(grown));
        int firstChanged = (old.groups() - 1) / Geometry.DESCRIPTORS_PER_BLOCK;
        engine.writeBackupTables(1, old.groups(), firstChanged, grown.usedTableBlocks());
        engine.writeBackupTables(old.groups(), grown.groups(), 0, grown.usedTableBlocks());
        engine.writeSuperblocks(engine.superblock());
        engine.flushStore();
    }
}

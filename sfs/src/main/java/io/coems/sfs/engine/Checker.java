package io.coems.sfs.engine;

import io.coems.sfs.SfsCorruptException;
import io.coems.sfs.format.Geometry;
import io.coems.sfs.format.MetaBlock;
import io.coems.sfs.format.Pointers;
import io.coems.sfs.format.VnodeRecord;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.coems.sfs.format.LittleEndian.INT;

/**
 * Verifies the whole file system against itself, and repairs what can be derived.
 *
 * <p>The walk starts at every vnode in use (those being deleted too: their partial trees still
 * hold references) and visits every distinct index block once, counting the pointers that
 * name each block. Then:
 * <ul>
 *   <li>every pointer names a data block, and every index block passes its checksum;</li>
 *   <li>each data block's stored count equals the pointers found (a free block: none);</li>
 *   <li>a pointer whose owner bit is set along its whole path from the vnode has count 1
 *       (under a shared ancestor the bits are not promises and are not checked);</li>
 *   <li>each group's free counts equal its counts and bitmap;</li>
 *   <li>the vnode bitmap marks exactly the slots whose records are in use.</li>
 * </ul>
 * Repair rewrites counts (freeing leaks), owner bits that promise too much, group counts and
 * bitmap bits from what the walk found. Callers hold the metadata lock and no I/O runs.
 */
final class Checker {
    private static final int MAX_REPORTED = 1000;

    private final Engine engine;
    private final Geometry geometry;
    private final int[][] found;
    private final List<String> problems = new ArrayList<>();
    /** Pointers whose owner bits are set along their whole path. */
    private final List<Claim> claims = new ArrayList<>();
    /** Of those, the ones whose block more than one pointer names. */
    private final List<Claim> overclaimed = new ArrayList<>();
    private int problemCount;

    /** An exclusive pointer: the block it names, and where the pointer is stored. */
    private record Claim(long block, long holder, long offset, MetaBlock.Kind holderKind) {
    }

    Checker(Engine engine) {
        this.engine = engine;
        this.geometry = engine.geometry();
        this.found = new int[geometry.groups()][];
    }

    /** Walks everything and returns every problem found (the first {@value #MAX_REPORTED} in words). */
    List<String> check(MetaView view) {
        walkVnodes(view);
        checkDescriptorBlocks(view);
        checkBackups();
        compareCounts(view);
        compareGroups(view);
        compareBitmaps(view);
        if (problemCount > problems.size()) {
            problems.add("... and " + (problemCount - problems.size()) + " more");
        }
        return problems;
    }

    /** Makes the metadata agree with the walk; returns what it changed. */
    List<String> repair(Transaction tx) {
        List<String> changes = check(tx);
        BlockCounts counts = engine.counts();
        for (int g = 0; g < geometry.groups(); g++) {
            for (long b = geometry.firstData(g); b < geometry.groupEnd(g); b++) {
                int expected = expected(b);
                if (counts.get(tx, b) != expected) {
                    counts.put(tx, b, expected);
                }
            }
        }
        for (Claim claim : overclaimed) {
            MemorySegment holder = tx.modify(claim.holder(), claim.holderKind());
            holder.set(INT, claim.offset(), Pointers.shared(holder.get(INT, claim.offset())));
        }
        for (int index = 0; index < geometry.vnodes(); index++) {
            boolean used = engine.vnodes().read(tx, index).flags() != 0;
            if (engine.vnodes().marked(tx, index) != used) {
                engine.vnodes().mark(tx, index, used);
            }
        }
        engine.recountGroups(tx);
        return changes;
    }

    private void walkVnodes(MetaView view) {
        long[] journal = engine.journalRegion();
        for (long b = journal[0]; b < journal[0] + journal[1]; b++) {
            found(b);
        }
        Set<Long> visited = new HashSet<>();
        VnodeTable vnodes = engine.vnodes();
        for (int index = 0; index < geometry.vnodes(); index++) {
            VnodeRecord record = vnodes.read(view, index);
            if (record.flags() == 0) {
                continue;
            }
            for (int r = 0; r < VnodeRecord.ROOTS; r++) {
                int root = record.root(r);
                visit(view, root, vnodes.rootBlock(index), vnodes.rootOffset(index, r), MetaBlock.Kind.VNODE_TABLE,
                        2, true, visited, "vnode " + index + " root " + r);
            }
        }
    }

    /**
     * Counts the reference {@code pointer} (stored at holder/offset) and, for an index block
     * seen for the first time, its entries. {@code exclusive} is whether every pointer above was
     * owned.
     */
    private void visit(MetaView view, int pointer, long holder, long offset, MetaBlock.Kind holderKind, int level,
            boolean exclusive, Set<Long> visited, String where) {
        if (pointer == 0) {
            return;
        }
        long block = Pointers.block(pointer);
        if (!engine.counts().isData(block)) {
            problem(where + " names block " + block + ", which is not a data block");
            return;
        }
        found(block);
        boolean owned = exclusive && Pointers.owned(pointer);
        if (owned) {
            claims.add(new Claim(block, holder, offset, holderKind));
        }
        if (level == 0 || !visited.add(block)) {
            return;
        }
        MemorySegment index;
        try {
            index = view.read(block, MetaBlock.Kind.INDEX);
        } catch (SfsCorruptException e) {
            problem(where + ": " + e.getMessage());
            return;
        }
        for (int i = 0; i < Geometry.INDEX_ENTRIES; i++) {
            int child = index.get(INT, 4L * i);
            visit(view, child, block, 4L * i, MetaBlock.Kind.INDEX, level - 1, owned, visited,
                    where + " > block " + block + "[" + i + "]");
        }
    }

    /**
     * Every group's superblock copy, and its copy of the table blocks that describe groups in use,
     * must be valid (repair rewrites them).
     */
    private void checkBackups() {
        io.coems.sfs.format.Superblock primary = engine.superblock();
        MemorySegment sector = MemorySegment.ofArray(new byte[io.coems.matrix.Blocks.SECTOR_SIZE]);
        MemorySegment table = MemorySegment.ofArray(new byte[io.coems.matrix.Blocks.SIZE]);
        for (int g = 1; g < geometry.groups(); g++) {
            engine.readRaw(geometry.groupStart(g), sector);
            io.coems.sfs.format.Superblock copy = io.coems.sfs.format.Superblock.decode(sector);
            if (copy == null || !copy.id().equals(primary.id()) || !copy.geometry().equals(primary.geometry())
                    || copy.copy() != g) {
                problem("the superblock copy of group " + g + " (block " + geometry.groupStart(g) + ") is damaged");
            }
            for (int i = 0; i < geometry.usedTableBlocks(); i++) {
                engine.readRaw(geometry.tableBlock(g, i), table);
                if (!MetaBlock.valid(table, MetaBlock.Kind.GROUP_TABLE)) {
                    problem("block " + i + " of the group-descriptor table copy in group " + g + " (block "
                            + geometry.tableBlock(g, i) + ") is damaged");
                }
            }
        }
    }

    /** Every data block of the descriptor vnode must be a valid descriptor block. */
    private void checkDescriptorBlocks(MetaView view) {
        long vnode = engine.descriptorVnode();
        VnodeRecord record;
        try {
            record = engine.live(view, vnode);
        } catch (RuntimeException e) {
            problem("the descriptor vnode " + Ids.format(vnode) + " is missing: " + e.getMessage());
            return;
        }
        for (long lb = 0; ; lb++) {
            int pointer = engine.map().lookup(view, record, lb);
            if (pointer == 0) {
                return;
            }
            try {
                view.read(Pointers.block(pointer), MetaBlock.Kind.DESCRIPTORS);
            } catch (SfsCorruptException e) {
                problem("descriptor block " + lb + ": " + e.getMessage());
            }
        }
    }

    private void compareCounts(MetaView view) {
        BlockCounts counts = engine.counts();
        for (int g = 0; g < geometry.groups(); g++) {
            for (long b = geometry.firstData(g); b < geometry.groupEnd(g); b++) {
                int stored = counts.get(view, b);
                int expected = expected(b);
                if (stored != expected) {
                    problem("block " + b + " has count " + stored + " but " + expected + " pointer(s) name it"
                            + (expected == 0 ? " (leaked)" : ""));
                }
            }
        }
        for (Claim claim : claims) {
            if (expected(claim.block()) != 1) {
                problem("block " + claim.block() + " is marked exclusively owned but " + expected(claim.block())
                        + " pointers name it");
                overclaimed.add(claim);
            }
        }
    }

    private void compareGroups(MetaView view) {
        GroupTable groups = engine.groups();
        for (int g = 0; g < geometry.groups(); g++) {
            int freeBlocks = engine.counts().freeIn(view, g);
            if (groups.freeBlocks(view, g) != freeBlocks) {
                problem("group " + g + " records " + groups.freeBlocks(view, g) + " free blocks but has " + freeBlocks);
            }
            int freeVnodes = engine.vnodes().freeIn(view, g);
            if (groups.freeVnodes(view, g) != freeVnodes) {
                problem("group " + g + " records " + groups.freeVnodes(view, g) + " free vnodes but has " + freeVnodes);
            }
        }
    }

    private void compareBitmaps(MetaView view) {
        for (int index = 0; index < geometry.vnodes(); index++) {
            boolean used = engine.vnodes().read(view, index).flags() != 0;
            if (engine.vnodes().marked(view, index) != used) {
                problem("vnode slot " + index + " is " + (used ? "in use" : "free") + " but its bitmap bit says "
                        + (used ? "free" : "in use"));
            }
        }
    }

    private void found(long block) {
        int g = geometry.groupOf(block);
        if (found[g] == null) {
            found[g] = new int[geometry.groupBlocks()];
        }
        found[g][(int) (block - geometry.groupStart(g))]++;
    }

    private int expected(long block) {
        int g = geometry.groupOf(block);
        return found[g] == null ? 0 : found[g][(int) (block - geometry.groupStart(g))];
    }

    private void problem(String text) {
        problemCount++;
        if (problems.size() < MAX_REPORTED) {
            problems.add(text);
        }
    }
}

package io.coems.sfs.engine;

import io.coems.matrix.Blocks;
import io.coems.sfs.format.MetaBlock;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.coems.sfs.format.LittleEndian.INT;

/**
 * Every change to SFS metadata (allocation, counts, bitmaps, pointers, vnode records,
 * descriptors) goes through one transaction; later reads inside the transaction see its
 * changes, and {@link #commit()} installs all changed blocks as the committed state. A
 * transaction that is closed without a commit leaves no trace, so an operation that fails
 * halfway (no space, bad input found late) changes nothing.
 *
 * <p>How a block is changed depends on who may read it meanwhile:
 * <ul>
 *   <li><b>In place</b>, with the old bytes kept in an {@link UndoLog}: index blocks,
 *       reference counts and the group-descriptor table ({@link #IN_PLACE}). Nobody can see
 *       such a change before the commit: counts are read only under the metadata lock, which
 *       the transaction holds; an index block is changed only while exactly one vnode's tree
 *       reaches it (count 1 along an exclusive path), and that vnode's lock is held
 *       exclusively (writes, discards) or the vnode is being deleted and refused to readers;
 *       the descriptor vnode's index blocks change under no vnode lock (a new descriptor
 *       grows it inside an {@code atomically} that names no vnode), which is safe only because
 *       every reader of descriptors takes the metadata lock;
 *       the free counts of the table are not read without the lock ({@code Engine.freeBlocks}
 *       reports a total kept at each commit). A first write after a snapshot so changes a few
 *       bytes of metadata instead of copying whole 64 KiB blocks.</li>
 *   <li><b>Copied</b> on the first change, for every other kind (vnode records, bitmaps,
 *       descriptors), which readers holding no lock may decode at any time: they keep seeing
 *       the committed copy until the commit installs the new one.</li>
 * </ul>
 *
 * <p>Commit hands the changed blocks to the {@link Journal}'s running transaction, which
 * makes them durable as one record and only then writes them home; blocks freed by the
 * transaction are reported to the journal at commit, so they are not reused before that
 * record is durable, nor within the transaction itself. If this transaction would overflow
 * the record, the running transaction is committed first, with this transaction's in-place
 * changes taken out for that while, so a record never holds part of a transaction. Without a
 * journal (while formatting) commit writes the blocks in place. Not thread-safe: one thread,
 * under the file system's metadata lock.
 */
public final class Transaction implements MetaView, AutoCloseable {
    /** Kinds changed in place under an undo log; the others are copied on their first change. */
    static final java.util.Set<MetaBlock.Kind> IN_PLACE = java.util.EnumSet.of(MetaBlock.Kind.INDEX,
            MetaBlock.Kind.REFCOUNT, MetaBlock.Kind.GROUP_TABLE);

    /** A changed block: its content (the cached segment itself when changed in place) and kind. */
    private record Change(MemorySegment content, MetaBlock.Kind kind, boolean inPlace) {
    }

    private final MetaCache cache;
    private final Journal journal;
    private final Map<Long, Change> changes = new LinkedHashMap<>();
    private final java.util.Set<Long> freed = new java.util.HashSet<>();
    private final java.util.Set<Long> decreased = new java.util.HashSet<>();
    private final UndoLog undo = new UndoLog();
    private final java.util.function.LongConsumer freeBlocksCommitted;
    private long freeBlocksDelta;
    private boolean useReserve;

    /**
     * A transaction over {@code cache}, committed into {@code journal} (null: written home at
     * once); its commit tells {@code freeBlocksCommitted} how it changed the free data blocks.
     */
    Transaction(MetaCache cache, Journal journal, java.util.function.LongConsumer freeBlocksCommitted) {
        this.cache = cache;
        this.journal = journal;
        this.freeBlocksCommitted = freeBlocksCommitted;
    }

    /** Records that this transaction changed the group table's free data blocks by {@code delta}. */
    void freeBlocksChanged(long delta) {
        freeBlocksDelta += delta;
    }

    /** Records that {@code block}'s count reached 0 in this transaction. */
    void freed(long block) {
        freed.add(block);
    }

    /** Lets this transaction's allocations take the reserved blocks (operations that give space back). */
    void useReserve(boolean allowed) {
        this.useReserve = allowed;
    }

    /** Whether allocations may take the reserved blocks. */
    boolean mayUseReserve() {
        return useReserve;
    }

    /** Records that {@code block}'s count dropped but stayed above 0 in this transaction. */
    void decreased(long block) {
        decreased.add(block);
    }

    /** Whether {@code block}'s count is the durable one: no uncommitted change decreased it. */
    boolean stable(long block) {
        return !decreased.contains(block) && !freed.contains(block) && (journal == null || journal.stable(block));
    }

    /** Whether {@code block} may be allocated: not freed by this transaction nor by an uncommitted one. */
    boolean reusable(long block) {
        return !freed.contains(block) && (journal == null || !journal.pendingFree(block));
    }

    /** The content of {@code block} as this transaction sees it; do not modify it. */
    @Override
    public MemorySegment read(long block, MetaBlock.Kind kind) {
        Change change = changes.get(block);
        return change != null ? change.content() : cache.read(block, kind);
    }

    /**
     * {@code block}, writable, its changes committed with the transaction: for kinds changed in
     * place the cached block itself (all of it is kept for the undo, once per transaction;
     * prefer {@link #setInt} for single entries), for the others a private copy.
     */
    public MemorySegment modify(long block, MetaBlock.Kind kind) {
        Change change = change(block, kind);
        if (change.inPlace()) {
            undo.saveBlock(change.content());
        }
        return change.content();
    }

    /** Sets the u32 at {@code offset} of {@code block} to {@code value}, committed with the transaction. */
    public void setInt(long block, MetaBlock.Kind kind, long offset, int value) {
        Change change = change(block, kind);
        if (change.inPlace()) {
            undo.saveInt(change.content(), offset);
        }
        change.content().set(INT, offset, value);
    }

    /** The change of {@code block}, begun now if this is its first: in place, or a private copy. */
    private Change change(long block, MetaBlock.Kind kind) {
        Change change = changes.get(block);
        if (change == null) {
            MemorySegment committed = cache.read(block, kind);
            if (IN_PLACE.contains(kind)) {
                change = new Change(committed, kind, true);
            } else {
                MemorySegment copy = MemorySegment.ofArray(new byte[Blocks.SIZE]);
                MemorySegment.copy(committed, 0, copy, 0, Blocks.SIZE);
                change = new Change(copy, kind, false);
            }
            changes.put(block, change);
        }
        return change;
    }

    /** A zeroed, writable {@code kind} block for a newly allocated {@code block}. */
    public MemorySegment fresh(long block, MetaBlock.Kind kind) {
        Change change = new Change(MemorySegment.ofArray(new byte[Blocks.SIZE]), kind, false);
        changes.put(block, change);
        return change.content();
    }

    /**
     * Makes the changes the committed state: into the journal's running transaction (durable at
     * its next commit), or, without a journal, sealed and written in place.
     */
    public void commit() {
        if (journal == null) {
            writeHome();
        } else {
            journal.checkNotStopped();
            if (journal.full(changes.size() + freed.size())) {
                commitRunningWithout();
            }
            for (Map.Entry<Long, Change> e : changes.entrySet()) {
                journal.add(e.getKey(), e.getValue().content(), e.getValue().kind());
                cache.install(e.getKey(), e.getValue().content());
            }
            // A block freed here leaves the running transaction even if this transaction also
            // changed it (a released index block is zeroed, then freed): its image must never be
            // written home over whatever the block holds once it is reused.
            for (long block : freed) {
                journal.freed(block);
            }
            for (long block : decreased) {
                journal.decreased(block);
            }
        }
        undo.clear();
        freeBlocksCommitted.accept(freeBlocksDelta);
        close();
    }

    /**
     * Without a journal (format, growth's new groups, repair): seals every changed block and
     * writes it home. Should a write fail, the in-place changes are undone and the cache forgets
     * every changed block, so it reads back what the store holds (each block old or new, as far
     * as the writes got) rather than keeping changes that never reached the store.
     */
    private void writeHome() {
        try {
            for (Map.Entry<Long, Change> e : changes.entrySet()) {
                MetaBlock.seal(e.getValue().content(), e.getValue().kind());
                cache.store().write(e.getKey(), 0, e.getValue().content());
                cache.install(e.getKey(), e.getValue().content());
            }
        } catch (RuntimeException e) {
            undo.rollBack();
            for (long block : changes.keySet()) {
                cache.forget(block);
            }
            throw e;
        }
    }

    /**
     * Commits the journal's running transaction as it was before this one: the in-place changes
     * are undone for that while and then applied again. Should the journal commit fail, they
     * stay undone (the transaction changes nothing).
     */
    private void commitRunningWithout() {
        List<MemorySegment[]> redo = new ArrayList<>();
        for (Change change : changes.values()) {
            if (change.inPlace()) {
                MemorySegment changed = MemorySegment.ofArray(new byte[Blocks.SIZE]);
                MemorySegment.copy(change.content(), 0, changed, 0, Blocks.SIZE);
                redo.add(new MemorySegment[] {change.content(), changed});
            }
        }
        undo.rollBack();
        journal.commit(); // in this thread, under the metadata lock: nobody sees the undone blocks
        for (MemorySegment[] pair : redo) {
            MemorySegment.copy(pair[1], 0, pair[0], 0, Blocks.SIZE);
        }
    }

    /** Ends the transaction; without a commit, every change is dropped (the in-place ones undone). */
    @Override
    public void close() {
        undo.rollBack();
        changes.clear();
        freed.clear();
        decreased.clear();
        freeBlocksDelta = 0;
    }
}

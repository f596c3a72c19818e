package io.coems.sfs.engine;

import io.coems.matrix.Blocks;
import io.coems.sfs.format.MetaBlock;

import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every change to SFS metadata (allocation, counts, bitmaps, pointers, vnode records,
 * descriptors) goes through one transaction: the first change to a block copies its committed
 * content into the transaction, later reads inside the transaction see the copy, and
 * {@link #commit()} seals and writes all changed blocks and installs them in the cache. A
 * transaction that is closed without a commit leaves no trace, so an operation that fails
 * halfway (no space, bad input found late) changes nothing.
 *
 * <p>Commit hands the changed blocks to the {@link Journal}'s running transaction, which
 * makes them durable as one record and only then writes them home; blocks freed by the
 * transaction are reported to the journal at commit, so they are not reused before that
 * record is durable, nor within the transaction itself. Without a journal (while formatting)
 * commit writes the blocks in place. Not thread-safe: one thread, under the file system's
 * metadata lock.
 */
public final class Transaction implements MetaView, AutoCloseable {
    private record Change(MemorySegment content, MetaBlock.Kind kind) {
    }

    private final MetaCache cache;
    private final Journal journal;
    private final Map<Long, Change> changes = new LinkedHashMap<>();
    private final java.util.Set<Long> freed = new java.util.HashSet<>();
    private final java.util.Set<Long> decreased = new java.util.HashSet<>();
    private boolean useReserve;

    Transaction(MetaCache cache, Journal journal) {
        this.cache = cache;
        this.journal = journal;
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

    /** A private, writable copy of {@code block}, committed with the transaction. */
    public MemorySegment modify(long block, MetaBlock.Kind kind) {
        Change change = changes.get(block);
        if (change == null) {
            MemorySegment copy = MemorySegment.ofArray(new byte[Blocks.SIZE]);
            MemorySegment.copy(cache.read(block, kind), 0, copy, 0, Blocks.SIZE);
            change = new Change(copy, kind);
            changes.put(block, change);
        }
        return change.content();
    }

    /** A zeroed, writable {@code kind} block for a newly allocated {@code block}. */
    public MemorySegment fresh(long block, MetaBlock.Kind kind) {
        Change change = new Change(MemorySegment.ofArray(new byte[Blocks.SIZE]), kind);
        changes.put(block, change);
        return change.content();
    }

    /**
     * Makes the changes the committed state: into the journal's running transaction (durable at
     * its next commit), or, without a journal, sealed and written in place.
     */
    public void commit() {
        if (journal != null && journal.full(changes.size() + freed.size())) {
            journal.commit();
        }
        for (Map.Entry<Long, Change> e : changes.entrySet()) {
            if (journal == null) {
                MetaBlock.seal(e.getValue().content(), e.getValue().kind());
                cache.store().write(e.getKey(), 0, e.getValue().content());
            } else {
                journal.add(e.getKey(), e.getValue().content(), e.getValue().kind());
            }
            cache.install(e.getKey(), e.getValue().content());
        }
        if (journal != null) {
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
        close();
    }

    /** Ends the transaction; without a commit, every change is dropped. */
    @Override
    public void close() {
        changes.clear();
        freed.clear();
        decreased.clear();
    }
}

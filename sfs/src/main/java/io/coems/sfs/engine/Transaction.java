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
 * <p>Commit writes the blocks in place, after the data writes of the operation (ordered).
 * The crash-safety issue replaces this write-in-place by a journal without changing callers.
 * Not thread-safe: one thread, under the file system's metadata lock.
 */
public final class Transaction implements MetaView, AutoCloseable {
    private record Change(MemorySegment content, MetaBlock.Kind kind) {
    }

    private final MetaCache cache;
    private final Map<Long, Change> changes = new LinkedHashMap<>();

    Transaction(MetaCache cache) {
        this.cache = cache;
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

    /** Number of blocks changed so far. */
    public int changedBlocks() {
        return changes.size();
    }

    /** Seals and writes every changed block, then makes it the committed content. */
    public void commit() {
        for (Map.Entry<Long, Change> e : changes.entrySet()) {
            MetaBlock.seal(e.getValue().content(), e.getValue().kind());
            cache.store().write(e.getKey(), 0, e.getValue().content());
        }
        for (Map.Entry<Long, Change> e : changes.entrySet()) {
            cache.install(e.getKey(), e.getValue().content());
        }
        changes.clear();
    }

    /** Ends the transaction; without a commit, every change is dropped. */
    @Override
    public void close() {
        changes.clear();
    }
}

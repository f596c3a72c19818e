package io.coems.sfs.engine;

import io.coems.matrix.Blocks;
import io.coems.sfs.SfsCorruptException;
import io.coems.sfs.format.MetaBlock;

import java.lang.foreign.MemorySegment;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The committed content of metadata blocks, read through from the store, checked against
 * their trailer on load and bounded in size. Only {@link Transaction#commit()} installs new
 * content. Vnode records, bitmaps and descriptors are never changed in place: a commit
 * installs a fresh segment, so a reader holding the old one keeps a consistent view. Index
 * blocks, counts and the group table are changed in place by the transaction that holds the
 * metadata lock, where no reader can see the change before its commit (see
 * {@link Transaction}); a block evicted meanwhile is installed again by that commit.
 */
final class MetaCache implements MetaView {
    private final Store store;
    private final int capacity;
    private final ConcurrentHashMap<Long, MemorySegment> blocks = new ConcurrentHashMap<>();
    /** Counts installs; {@link #installedAt} tells when each block was last installed. */
    private final java.util.concurrent.atomic.AtomicLong epoch = new java.util.concurrent.atomic.AtomicLong();
    private final ConcurrentHashMap<Long, Long> installedAt = new ConcurrentHashMap<>();
    /** Blocks that must stay: their newest content is not yet in the store. */
    private volatile java.util.function.LongPredicate pinned = block -> false;

    /** The store the cache reads from and transactions write to. */
    Store store() {
        return store;
    }

    /** A cache over {@code store} holding at most {@code capacity} blocks. */
    MetaCache(Store store, int capacity) {
        this.store = store;
        this.capacity = capacity;
    }

    /**
     * The committed content of {@code block}, which must be a {@code kind} block.
     *
     * @throws SfsCorruptException if it fails its checksum
     */
    @Override
    public MemorySegment read(long block, MetaBlock.Kind kind) {
        for (int attempt = 0; ; attempt++) {
            MemorySegment cached = blocks.get(block);
            if (cached != null) {
                return cached;
            }
            long start = epoch.get();
            MemorySegment loaded = MemorySegment.ofArray(new byte[Blocks.SIZE]);
            store.read(block, 0, loaded);
            Long installed = installedAt.get(block);
            if (installed != null && installed > start) {
                // A commit installed the block while it was being read: the copy may be older.
                continue;
            }
            if (!MetaBlock.valid(loaded, kind)) {
                if (attempt < 2) {
                    continue;
                }
                throw new SfsCorruptException("metadata block " + block + " is not a valid " + kind
                        + " block (checksum or kind mismatch)");
            }
            if (blocks.size() >= capacity) {
                evictSome();
            }
            MemorySegment raced = blocks.putIfAbsent(block, loaded);
            return raced != null ? raced : loaded;
        }
    }

    /** Installs committed content (the caller no longer changes {@code content}). */
    void install(long block, MemorySegment content) {
        installedAt.put(block, epoch.incrementAndGet());
        blocks.put(block, content);
    }

    /**
     * Drops {@code block} whether pinned or not, so the next read loads it from the store: for
     * a block whose cached content the store does not hold (a write home that failed).
     */
    void forget(long block) {
        installedAt.put(block, epoch.incrementAndGet());
        blocks.remove(block);
    }

    /** Keeps the blocks {@code pinned} names from being evicted. */
    void pin(java.util.function.LongPredicate pinnedBlocks) {
        this.pinned = pinnedBlocks;
    }

    /** Forgets every block it may (all but the pinned ones), as if all were evicted. */
    void clear() {
        for (long block : blocks.keySet()) {
            evict(block);
        }
    }

    private void evictSome() {
        Iterator<Long> it = blocks.keySet().iterator();
        for (int i = 0; i < capacity / 8 + 1 && it.hasNext(); ) {
            if (evict(it.next())) {
                i++;
            }
        }
    }

    /**
     * Drops {@code block} unless it is pinned, deciding and removing in one step: a commit adds
     * a block to the journal (pinning it) before it installs it, so a check made before that
     * commit must not remove the content it installs afterwards.
     *
     * @return whether the block was dropped
     */
    private boolean evict(long block) {
        boolean[] dropped = {false};
        blocks.computeIfPresent(block, (key, content) -> {
            dropped[0] = !pinned.test(key);
            return dropped[0] ? null : content;
        });
        return dropped[0];
    }
}

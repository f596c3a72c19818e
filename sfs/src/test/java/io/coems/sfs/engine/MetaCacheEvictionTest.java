package io.coems.sfs.engine;

import io.coems.matrix.Blocks;
import io.coems.matrix.device.MemoryDevice;
import io.coems.sfs.format.MetaBlock;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * An eviction that finds a block unpinned must not remove the content a commit installs right
 * after: a commit adds the block to the journal (which pins it), then installs it, so a removal
 * that lands after the install would leave the newest version only in the journal, and the next
 * miss would load the older home copy. The pin check here plays the commit at the worst moment:
 * after it has answered "not pinned", and before the eviction removes the block. (The commit
 * thread is given half a second; with a correct cache it is held off until the eviction is
 * done, so the wait runs out and the test still holds.)
 */
class MetaCacheEvictionTest {
    private static final long BLOCK = 3;

    @Test
    void clearKeepsABlockInstalledDuringItsPinCheck() throws Exception {
        assertEvictionKeepsTheCommit(MetaCache::clear);
    }

    @Test
    void evictionOnAMissKeepsABlockInstalledDuringItsPinCheck() throws Exception {
        assertEvictionKeepsTheCommit(cache -> cache.read(BLOCK + 1, MetaBlock.Kind.INDEX));
    }

    private static void assertEvictionKeepsTheCommit(Consumer<MetaCache> evict) throws Exception {
        MetaCache cache = new MetaCache(new Store(new MemoryDevice("evict", 8)), 1);
        cache.read(BLOCK, MetaBlock.Kind.INDEX); // the committed (all-zero) block, now cached
        MemorySegment newer = MemorySegment.ofArray(new byte[Blocks.SIZE]);
        newer.fill((byte) 7);
        AtomicBoolean journaled = new AtomicBoolean();
        Thread[] commit = new Thread[1];
        cache.pin(block -> {
            boolean pinned = journaled.get();
            if (block == BLOCK && commit[0] == null) {
                commit[0] = Thread.startVirtualThread(() -> {
                    journaled.set(true);          // journal.add: pinned from now on
                    cache.install(BLOCK, newer);  // then installed as the committed state
                });
                try {
                    commit[0].join(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return pinned;
        });

        evict.accept(cache);
        commit[0].join();

        assertSame(newer, cache.read(BLOCK, MetaBlock.Kind.INDEX), "the committed content is still cached");
    }
}

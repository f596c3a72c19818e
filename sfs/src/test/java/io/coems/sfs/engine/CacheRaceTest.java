package io.coems.sfs.engine;

import io.coems.matrix.Blocks;
import io.coems.matrix.device.MemoryDevice;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cache miss loads a block outside any lock. If a commit installs a newer version while the
 * load is under way and an eviction then drops it, the loaded copy must not be installed: it
 * would bring back the block as it was before the commit. Here, that would forget a spawn: the
 * parent would regain its owner bits and its next write would show in the child.
 */
class CacheRaceTest {
    @Test
    void aCacheMissRacingACommitNeverReinstallsAnOldCopy() throws Exception {
        GatedStore store = new GatedStore(new MemoryDevice("race", 1024));
        Engine engine = Engine.format(store, 256, 16, 64, 0, 1L << 18);
        long a = engine.create(Blocks.bytes(4));
        long b;
        do { // a vnode in the same vnode-table block (groups are filled round robin), another lock stripe
            b = engine.create(Blocks.bytes(4));
        } while (engine.geometry().vnodeBlock(Ids.index(b)) != engine.geometry().vnodeBlock(Ids.index(a)));
        long bb = b;
        byte[] one = new byte[Blocks.SIZE];
        Arrays.fill(one, (byte) 1);
        engine.write(a, 0, MemorySegment.ofArray(one));
        engine.flush(); // committed and written home: no longer pinned, so it can be evicted
        long table = engine.geometry().vnodeBlock(Ids.index(a));

        engine.cache().clear(); // stands for an eviction by any concurrent cache miss
        Thread reader = new Thread(() -> engine.read(bb, 0, MemorySegment.ofArray(new byte[10])), "reader");
        store.arm((block, write) -> Thread.currentThread() == reader && block == table && !write);
        reader.start();
        assertTrue(store.arrived.await(5, TimeUnit.SECONDS), "reader loaded the old vnode table");

        long child = engine.spawn(a);           // commits a new vnode table block
        engine.cache().clear();                 // another eviction (evictSome on any miss)
        store.release.countDown();              // the reader now installs its old copy
        reader.join();

        byte[] two = new byte[Blocks.SIZE];
        Arrays.fill(two, (byte) 2);
        List<String> problems;
        try {
            engine.write(a, 0, MemorySegment.ofArray(two));
        } finally {
            problems = engine.check();
        }
        assertEquals(List.of(), problems, "metadata consistent");
        byte[] got = new byte[Blocks.SIZE];
        engine.read(child, 0, MemorySegment.ofArray(got));
        assertArrayEquals(one, got, "the child still sees the data of the spawn");
    }
}

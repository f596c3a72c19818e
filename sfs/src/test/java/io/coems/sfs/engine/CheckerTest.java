package io.coems.sfs.engine;

import io.coems.matrix.Blocks;
import io.coems.matrix.device.MemoryDevice;
import io.coems.sfs.format.LittleEndian;
import io.coems.sfs.format.MetaBlock;
import io.coems.sfs.format.Pointers;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** check() finds every kind of inconsistency at once, and repair() fixes them without touching data. */
class CheckerTest {

    @Test
    void checkReportsEveryProblemAndRepairFixesThem() {
        Engine engine = Engine.format(new MemoryDevice("check", 1024), 256, 16, 64, 0, 1L << 18);
        long a = engine.create(Blocks.bytes(64));
        byte[] data = new byte[3 * Blocks.SIZE];
        new java.util.Random(1).nextBytes(data);
        engine.write(a, 0, MemorySegment.ofArray(data));
        long b = engine.spawn(a);
        assertEquals(List.of(), engine.check());

        int index = Ids.index(a);
        io.coems.sfs.format.Geometry g = engine.geometry();
        long leak;
        engine.metaLock().lock();
        try (Transaction tx = engine.begin()) {
            // 1: a leaked block (count 1, no pointer)
            leak = engine.counts().allocate(tx, 0, true);
            // 2: an owner bit promising a shared root
            MemorySegment table = tx.modify(engine.vnodes().rootBlock(index), MetaBlock.Kind.VNODE_TABLE);
            long offset = engine.vnodes().rootOffset(index, 0);
            table.set(LittleEndian.INT, offset, table.get(LittleEndian.INT, offset) | Pointers.OWNER);
            // 3: a bitmap bit for a free slot
            engine.vnodes().mark(tx, g.vnodes() - 1, true);
            tx.commit();
        } finally {
            engine.metaLock().unlock();
        }
        List<String> problems = engine.check();
        assertTrue(problems.stream().anyMatch(p -> p.contains("block " + leak) && p.contains("leaked")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.contains("exclusively owned")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.contains("vnode slot " + (g.vnodes() - 1))), problems::toString);

        assertEquals(problems, engine.repair());
        assertEquals(List.of(), engine.check());
        byte[] got = new byte[data.length];
        engine.read(b, 0, MemorySegment.ofArray(got));
        assertArrayEquals(data, got);
        engine.write(a, 0, MemorySegment.ofArray(new byte[10]));
        engine.read(b, 0, MemorySegment.ofArray(got));
        assertArrayEquals(data, got, "after repair, a write to a still copies the shared blocks");
    }
}

package io.coems.sfs.engine;

import io.coems.matrix.Blocks;
import io.coems.matrix.device.MemoryDevice;
import io.coems.sfs.format.Pointers;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** New vnodes spread across groups; a vnode's blocks stay together in its group, in order. */
class AllocationLocalityTest {

    private static long physical(Engine engine, long id, long lb) {
        return Pointers.block(engine.map().lookup(engine.cache(), engine.live(engine.cache(), id), lb));
    }

    @Test
    void vnodesSpreadAndTheirBlocksStayTogether() {
        Engine engine = Engine.format(new MemoryDevice("locality", 1024), 256, 16, 64, 0, 1L << 18);
        Set<Integer> groups = new HashSet<>();
        for (int v = 0; v < 4; v++) {
            long id = engine.create(Blocks.bytes(64));
            for (long lb = 0; lb < 8; lb++) {
                engine.write(id, Blocks.bytes(lb), MemorySegment.ofArray(new byte[Blocks.SIZE]));
            }
            long first = physical(engine, id, 0);
            int group = engine.geometry().groupOf(first);
            groups.add(group);
            for (long lb = 1; lb < 8; lb++) {
                assertEquals(first + lb, physical(engine, id, lb), "vnode " + v + " block " + lb + " follows block 0");
            }
            assertEquals(group, engine.geometry().groupOf(physical(engine, id, 7)));
        }
        assertTrue(groups.size() >= 3, "four new vnodes land in several groups: " + groups);
    }
}

package io.coems.vvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class MappedRunTest {
    @Test
    void dataAndHolesOfARangeMergedAndInOrder() {
        List<Extent> mapped = List.of(new Extent(8192, 4096), new Extent(0, 4096), new Extent(4096, 2048));
        assertEquals(List.of(new MappedRun(1024, 5120, false), new MappedRun(6144, 2048, true),
                new MappedRun(8192, 4096, false), new MappedRun(12288, 4096, true)), MappedRun.of(mapped, 1024, 16384, 10));
        assertEquals(List.of(new MappedRun(0, 100, true)), MappedRun.of(List.of(), 0, 100, 1));
        assertEquals(List.of(), MappedRun.of(mapped, 50, 50, 1));
    }

    @Test
    void theCapKeepsAPrefix() {
        List<Extent> mapped = List.of(new Extent(0, 10), new Extent(20, 10), new Extent(40, 10));
        assertEquals(List.of(new MappedRun(0, 10, false), new MappedRun(10, 10, true)), MappedRun.of(mapped, 0, 60, 2));
    }

    @Test
    void aBadRangeOrCapIsRefused() {
        assertEquals("range [10, 5) is not a byte range",
                assertThrows(PoolArgumentException.class, () -> MappedRun.of(List.of(), 10, 5, 1)).getMessage());
        assertEquals("at most 0 runs: the cap must be positive",
                assertThrows(PoolArgumentException.class, () -> MappedRun.of(List.of(), 0, 5, 0)).getMessage());
    }

    /** Disjoint extents on a 64-byte grid, from cells marked mapped. */
    private static List<Extent> extents(List<Boolean> cells) {
        List<Extent> mapped = new ArrayList<>();
        for (int i = 0; i < cells.size(); i++) {
            if (cells.get(i)) {
                mapped.add(new Extent(i * 64L, 64));
            }
        }
        return mapped.reversed();
    }

    @Property(tries = 300)
    void runsTileAPrefixAlternateAndAgreeWithTheCells(@ForAll @Size(max = 40) List<Boolean> cells,
            @ForAll @IntRange(max = 2600) int start, @ForAll @IntRange(max = 2600) int length,
            @ForAll @IntRange(min = 1, max = 8) int max) {
        List<MappedRun> runs = MappedRun.of(extents(cells), start, (long) start + length, max);
        assertTrue(runs.size() <= max);
        long position = start;
        for (int i = 0; i < runs.size(); i++) {
            MappedRun run = runs.get(i);
            assertEquals(position, run.offset());
            assertTrue(run.length() > 0);
            if (i > 0) {
                assertTrue(run.hole() != runs.get(i - 1).hole(), "neighbours of one kind: " + runs);
            }
            for (long b = run.offset(); b < run.end(); b += 16) {
                int cell = (int) (b / 64);
                assertEquals(!(cell < cells.size() && cells.get(cell)), run.hole(), "byte " + b + " in " + runs);
            }
            position = run.end();
        }
        assertTrue(runs.size() == max || position == (long) start + length, "the runs stop short: " + runs);
    }
}

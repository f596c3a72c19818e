package io.coems.sfs.format;

import io.coems.sfs.SfsArgumentException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The group-descriptor table reserved for the maximum size, and what growth keeps in place. */
class GeometryTest {
    @Test
    void theTableIsSizedForTheMaximumNotTheStore() {
        Geometry full = Geometry.of(1L << 20, Geometry.MAX_GROUP_BLOCKS, 255, 1L << 30);
        assertEquals(32768, full.maxGroups());
        assertEquals(17, full.tableBlocks(), "32768 descriptors at 2047 a block");
        assertEquals(1, full.usedTableBlocks(), "32 groups in use");
        Geometry small = Geometry.of(1024, 64, 16, 1L << 20);
        assertEquals(9, small.tableBlocks(), "16384 groups");
        assertEquals(1 + 9 + 1 + 1 + 1, small.metadataBlocks());
    }

    @Test
    void growthKeepsEveryExistingGroupWhereItWas() {
        Geometry old = Geometry.of(1000, 256, 16, 1L << 18);
        Geometry grown = old.grownTo(5000);
        assertEquals(20, grown.groups());
        assertEquals(5000 - 19 * 256, grown.groupEnd(19) - grown.groupStart(19), "a partial last group of 136");
        for (int g = 0; g < old.groups(); g++) {
            assertEquals(old.firstData(g), grown.firstData(g));
            assertEquals(old.vnodeBitmap(g), grown.vnodeBitmap(g));
            assertEquals(old.countBlock(old.groupStart(g) + 200), grown.countBlock(grown.groupStart(g) + 200));
        }
        assertEquals(256 - 5, grown.dataBlocks(3), "the partial group of 232 blocks filled up");
    }

    @Test
    void growingByLessThanAUsableGroupOrShrinkingChangesNothing() {
        Geometry old = Geometry.of(1024, 256, 16, 1L << 18);
        assertSame(old, old.grownTo(1000));
        assertEquals(old, old.grownTo(1024 + 5), "5 blocks hold only the metadata of a group");
        assertEquals(1024 + 6, old.grownTo(1024 + 6).totalBlocks(), "6 blocks hold one data block more");
    }

    @Test
    void growingBeyondTheMaximumIsRefusedNamingBoth() {
        Geometry old = Geometry.of(1024, 256, 16, 2048);
        SfsArgumentException e = assertThrows(SfsArgumentException.class, () -> old.grownTo(2049));
        assertTrue(e.getMessage().contains("2049 blocks") && e.getMessage().contains("maximum of 2048 blocks"),
                e.getMessage());
        assertThrows(SfsArgumentException.class, () -> Geometry.of(1024, 256, 16, 1L << 31),
                "beyond the 31-bit block pointer");
    }
}

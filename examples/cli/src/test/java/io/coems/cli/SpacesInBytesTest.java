package io.coems.cli;

import io.coems.matrix.Blocks;
import io.coems.matrix.LbsHealth;
import io.coems.matrix.LbsStatus;
import io.coems.matrix.RaidMode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The stripes of each space, from 0 for each, as bytes of all the spaces for one progress bar. */
class SpacesInBytesTest {
    private static LbsStatus space(int index, long blocks) {
        return new LbsStatus(index, RaidMode.RAID1, 0, blocks, LbsHealth.OPTIMAL, List.of());
    }

    @Test
    void eachSpaceCountsAsItsCapacityOneAfterTheOther() {
        List<String> seen = new ArrayList<>();
        var bytes = new PoolCommand.SpacesInBytes(List.of(space(0, 10), space(1, 30)),
                (done, total) -> seen.add(done / Blocks.SIZE + "/" + total / Blocks.SIZE));
        bytes.progress(1, 2);
        bytes.progress(2, 2);
        bytes.progress(1, 3);
        bytes.progress(2, 3);
        bytes.progress(3, 3);
        assertEquals(List.of("5/40", "10/40", "20/40", "30/40", "40/40"), seen);
    }
}

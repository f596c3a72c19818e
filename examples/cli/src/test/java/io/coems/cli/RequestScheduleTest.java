package io.coems.cli;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestScheduleTest {
    private static List<Long> offsets(RequestSchedule schedule, long limit) {
        List<Long> offsets = new ArrayList<>();
        for (RequestSchedule.Request r = schedule.next(limit); r != null; r = schedule.next(limit)) {
            assertEquals(offsets.size(), r.index());
            offsets.add(r.offset());
        }
        return offsets;
    }

    @Test
    void stepsFromTheOffsetAndWrapModuloTheVolumeSize() {
        Workload w = new Workload(6, 4096, 12288, 8192, false, 1, 0, true, 0);
        // 8192, then +12288 each, modulo 32768: as qemu-img bench 7.2 issues them.
        assertEquals(List.of(8192L, 20480L, 0L, 12288L, 24576L, 4096L), offsets(new RequestSchedule(w, 32768), 100));
    }

    @Test
    void aLargeOddStepOfBlocksVisitsEveryBlockOnce() {
        long blocks = 256;
        Workload w = new Workload(blocks, 65536, 65536 * 97, 0, false, 1, 0, true, 0);
        List<Long> offsets = offsets(new RequestSchedule(w, blocks * 65536), Long.MAX_VALUE);
        assertEquals(blocks, offsets.stream().distinct().count());
        assertTrue(offsets.stream().allMatch(o -> o % 65536 == 0 && o < blocks * 65536));
    }

    @Test
    void issuesUpToTheLimitThenTheRest() {
        RequestSchedule schedule = new RequestSchedule(new Workload(5, 512, 512, 0, true, 1, 0, true, 0), 1 << 20);
        assertEquals(List.of(0L, 512L), offsets(schedule, 2));
        assertEquals(2, schedule.issued());
        RequestSchedule.Request third = schedule.next(5);
        assertEquals(new RequestSchedule.Request(2, 1024), third);
        assertEquals(1536, schedule.next(5).offset());
        assertEquals(2048, schedule.next(5).offset());
        assertNull(schedule.next(Long.MAX_VALUE));
    }

    @Test
    void aWrappedRequestPastTheEndFailsTheRun() {
        Workload w = new Workload(3, 4096, 6144, 0, false, 1, 0, true, 0);
        RequestSchedule schedule = new RequestSchedule(w, 10000);
        assertEquals(0, schedule.next(3).offset());
        Coems.Failure e = assertThrows(Coems.Failure.class, () -> schedule.next(3));
        assertEquals("request 1 at offset 6144 runs past the end of the volume of 10000 bytes (offsets wrap modulo"
                + " the volume's size, as in qemu-img bench 7.2)", e.getMessage());
    }

    @Test
    void aFirstRequestOutsideTheVolumeIsRefused() {
        Workload w = new Workload(1, 4096, 4096, 1 << 20, false, 1, 0, true, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RequestSchedule(w, 1 << 20));
        assertEquals("a request of 4096 bytes at offset 1048576 does not fit in the volume of 1048576 bytes",
                e.getMessage());
    }
}

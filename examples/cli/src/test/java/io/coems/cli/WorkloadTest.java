package io.coems.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WorkloadTest {
    private static Workload workload(long count, long size, long step, long offset, boolean write, int depth,
            long flushInterval) {
        return new Workload(count, size, step, offset, write, depth, flushInterval, true, 0);
    }

    private static void refused(String message, Runnable make) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::run);
        assertEquals(message, e.getMessage());
    }

    @Test
    void refusesKnobsOutOfRangeNamingThem() {
        refused("request count (-c) 0 is not from 1 to 2147483647", () -> workload(0, 4096, 4096, 0, false, 1, 0));
        refused("request size (-s) 67108865 is not from 1 to 67108864",
                () -> workload(1, (64 << 20) + 1, 4096, 0, false, 1, 0));
        refused("step (-S) 2147483648 is not from 1 to 2147483647", () -> workload(1, 4096, 1L << 31, 0, false, 1, 0));
        refused("offset (-o) -1 is not from 0 to 9223372036854775807", () -> workload(1, 4096, 4096, -1, false, 1, 0));
        refused("queue depth (-d) 1025 is not from 1 to 1024", () -> workload(1, 4096, 4096, 0, false, 1025, 0));
        refused("pattern 256 is not from 0 to 255", () -> new Workload(1, 4096, 4096, 0, true, 1, 0, true, 256));
    }

    @Test
    void flushIntervalNeedsWritesAndAtLeastTheDepth() {
        refused("a flush interval needs a write run (-w)", () -> workload(64, 4096, 4096, 0, false, 1, 8));
        refused("flush interval 8 is smaller than the queue depth 16", () -> workload(64, 4096, 4096, 0, true, 16, 8));
        assertEquals(16, workload(64, 4096, 4096, 0, true, 16, 16).flushInterval());
    }

    @Test
    void theFirstRequestMustFitInTheVolume() {
        Workload w = workload(1, 4096, 4096, 8192, false, 1, 0);
        w.checkFits(12288);
        refused("a request of 4096 bytes at offset 8192 does not fit in the volume of 12287 bytes",
                () -> w.checkFits(12287));
        refused("a request of 4096 bytes at offset 0 does not fit in the volume of 4095 bytes",
                () -> workload(1, 4096, 4096, 0, false, 1, 0).checkFits(4095));
        assertEquals(75_000L * 4096, workload(75_000, 4096, 4096, 0, false, 64, 0).bytes());
    }
}

package io.coems.nvsp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coems.nvsp.message.MessageType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchedulerTest {
    private static final long KIB64 = 64 << 10;

    private long now;
    private final Scheduler scheduler = new Scheduler(KIB64, () -> now);

    private Flow flow(long id, int weight, long iops, long bandwidth) {
        return new Flow(new ClientState(id, "client-" + id, weight, iops, bandwidth, now));
    }

    private void submit(Flow flow, int count, long bytes) {
        for (int i = 0; i < count; i++) {
            Job job = new Job(null, flow);
            job.start(i, MessageType.READ, now, bytes);
            scheduler.submit(job);
        }
    }

    /** Takes up to {@code count} jobs and sums the bytes each client got. */
    private Map<Long, Long> drain(int count) {
        Map<Long, Long> bytes = new HashMap<>();
        for (int i = 0; i < count; i++) {
            Job job = scheduler.poll();
            if (job == null) {
                break;
            }
            bytes.merge(job.flow.client.id(), job.dataBytes, Long::sum);
        }
        return bytes;
    }

    @Test
    void equalWeightsMoveEqualBytesWhateverTheRequestSizes() {
        Flow small = flow(1, 1, 0, 0);
        Flow large = flow(2, 1, 0, 0);
        submit(small, 4000, 4096);
        submit(large, 400, KIB64);
        Map<Long, Long> bytes = drain(600);
        assertTrue(Math.abs(bytes.get(1L) - bytes.get(2L)) <= KIB64, bytes.toString());
    }

    @Test
    void aClientOfWeightTwoMovesTwiceTheBytes() {
        Flow one = flow(1, 1, 0, 0);
        Flow two = flow(2, 2, 0, 0);
        Flow three = flow(3, 3, 0, 0);
        submit(one, 1000, KIB64);
        submit(two, 1000, KIB64);
        submit(three, 1000, KIB64);
        Map<Long, Long> bytes = drain(600);
        assertEquals(100 * KIB64, bytes.get(1L));
        assertEquals(200 * KIB64, bytes.get(2L));
        assertEquals(300 * KIB64, bytes.get(3L));
    }

    @Test
    void anIdleFlowKeepsNoCredit() {
        Flow idle = flow(1, 1, 0, 0);
        Flow busy = flow(2, 1, 0, 0);
        submit(busy, 100, KIB64);
        drain(50);
        submit(idle, 100, KIB64);
        Map<Long, Long> bytes = drain(20);
        assertEquals(10 * KIB64, bytes.get(1L));
        assertEquals(10 * KIB64, bytes.get(2L));
    }

    @Test
    void anIopsCapHoldsAClientToItsRateAndOthersGoOn() {
        Flow capped = flow(1, 1, 10, 0);
        Flow free = flow(2, 1, 0, 0);
        submit(capped, 1000, 4096);
        submit(free, 100_000, 4096);
        long cappedCount = 0;
        for (int step = 0; step < 1000; step++) {
            now += 10_000_000L;
            Map<Long, Long> bytes = drain(20);
            cappedCount += bytes.getOrDefault(1L, 0L) / 4096;
            assertTrue(bytes.getOrDefault(2L, 0L) > 0, "the uncapped client is served at step " + step);
        }
        assertTrue(cappedCount >= 99 && cappedCount <= 102, cappedCount + " requests in 10 s at 10 IOPS");
    }

    @Test
    void aBandwidthCapHoldsAClientToItsBytesPerSecond() {
        Flow capped = flow(1, 1, 0, 1 << 20);
        submit(capped, 10_000, KIB64);
        long moved = 0;
        for (int step = 0; step < 100; step++) {
            now += 10_000_000L;
            moved += drain(1000).getOrDefault(1L, 0L);
        }
        assertTrue(moved >= (1 << 20) - KIB64 && moved <= (1 << 20) + 2 * KIB64, moved + " bytes in 1 s at 1 MiB/s");
    }

    @Test
    void aWorkerWaitsForTheCapsAndTakeEndsOnceStoppedAndEmpty() throws InterruptedException {
        Scheduler realTime = new Scheduler(KIB64, System::nanoTime);
        Flow capped = new Flow(new ClientState(1, "capped", 1, 20, 0, System.nanoTime()));
        for (int i = 0; i < 3; i++) {
            Job job = new Job(null, capped);
            job.start(i, MessageType.READ, 0, 4096);
            realTime.submit(job);
        }
        for (int i = 0; i < 3; i++) {
            Job job = realTime.take();
            assertEquals(i, job.requestId);
        }
        realTime.stop();
        assertNull(realTime.take());
        Job late = new Job(null, capped);
        late.start(3, MessageType.READ, 0, 4096);
        assertFalse(realTime.submit(late), "a job queued after the workers left");
    }

    @Test
    void removingAFlowHandsBackItsQueuedJobs() {
        Flow flow = flow(1, 1, 0, 0);
        submit(flow, 5, 4096);
        List<Job> removed = scheduler.remove(flow, null);
        assertEquals(5, removed.size());
        assertNull(scheduler.poll());
    }
}

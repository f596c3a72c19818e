package io.coems.cli;

import io.coems.vvm.Volume;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a {@link Workload} on a volume and measures it. The volume API is synchronous, so a queue
 * depth of {@code d} is {@code d} virtual threads, each issuing the next request of the shared
 * {@link RequestSchedule} as soon as its previous one returns. Writes copy one buffer filled
 * with the pattern (as qemu-img bench does); reads go to a buffer per thread.
 *
 * <p>Flushes ({@link Workload#flushInterval()}) follow qemu-img bench: whenever the requests not
 * yet issued are a multiple of the interval, the pool is flushed; with draining, the requests in
 * flight complete first and no new one starts until the flush returns, without it the thread that
 * completed the last request before that point flushes while the others go on.
 *
 * <p>One run at a time per instance; it starts and joins its own threads.
 */
final class WorkloadRunner {
    private final Workload workload;

    WorkloadRunner(Workload workload) {
        this.workload = workload;
    }

    /**
     * Runs the workload on {@code volume} and returns the elapsed nanoseconds, from the first
     * request issued to the last completed (and its flush, if one falls there).
     *
     * @throws Coems.Failure if a request runs past the volume's end
     * @throws io.coems.vvm.PoolException if the volume refuses a request
     */
    long run(Volume volume) {
        RequestSchedule schedule = new RequestSchedule(workload, volume.size());
        try (Arena arena = Arena.ofShared()) {
            MemorySegment pattern = arena.allocate(workload.size()).fill((byte) workload.pattern());
            List<MemorySegment> buffers = new ArrayList<>();
            for (int i = 0; i < workload.depth(); i++) {
                buffers.add(workload.write() ? pattern : arena.allocate(workload.size()));
            }
            long start = System.nanoTime();
            long interval = workload.flushInterval();
            if (interval == 0 || !workload.drain()) {
                inParallel(buffers, b -> issue(volume, schedule, Long.MAX_VALUE, b));
            } else {
                // Batches end where the requests left to issue are a multiple of the interval.
                long first = workload.count() % interval == 0 ? interval : workload.count() % interval;
                for (long limit = first; schedule.issued() < workload.count(); limit += interval) {
                    long batchLimit = limit;
                    inParallel(buffers, b -> issue(volume, schedule, batchLimit, b));
                    volume.flush();
                }
            }
            return System.nanoTime() - start;
        }
    }

    /** Issues requests from {@code schedule} below {@code limit} into or from {@code buffer} until there are none. */
    private void issue(Volume volume, RequestSchedule schedule, long limit, MemorySegment buffer) {
        long count = workload.count();
        long interval = workload.flushInterval();
        for (RequestSchedule.Request r = schedule.next(limit); r != null; r = schedule.next(limit)) {
            if (workload.write()) {
                volume.write(r.offset(), buffer);
            } else {
                volume.read(r.offset(), buffer);
            }
            if (interval != 0 && !workload.drain() && (count - r.index() - 1) % interval == 0) {
                volume.flush();
            }
        }
    }

    /** Runs {@code work} on one virtual thread per buffer and waits for all; rethrows the first failure. */
    private static void inParallel(List<MemorySegment> buffers, java.util.function.Consumer<MemorySegment> work) {
        List<Future<?>> done = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (MemorySegment b : buffers) {
                done.add(threads.submit(() -> work.accept(b)));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("a bench thread failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Coems.Failure("interrupted");
        }
    }
}

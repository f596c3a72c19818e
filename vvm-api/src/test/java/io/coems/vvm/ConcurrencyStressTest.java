package io.coems.vvm;

import io.coems.matrix.Blocks;
import io.coems.matrix.LbsSpec;
import io.coems.matrix.device.MemoryDevice;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Four threads mixing verified I/O with snapshots, clones, reverts and snapshot deletes of their
 * own volumes, while four more write disjoint byte ranges of one shared volume that is being
 * snapshotted: no deadlock, no lost write, every image equals its model, and check() is empty.
 */
class ConcurrencyStressTest {
    private static final int THREADS = 4;
    private static final long SIZE = 1L << 20;
    private static final int ITERATIONS = 400;
    /** The shared volume is cut into chunks of this size; writer {@code w} owns every chunk {@code c % THREADS == w}. */
    private static final int CHUNK = 4096;
    private static final int SHARED_WRITES = 600;
    private static final long DEADLINE_MILLIS = 60_000;

    private final long seed = System.nanoTime();

    /** A thread's own images at the end, with their models. */
    private record Owned(Map<BlockImage, PoolModel.Image> images) {
    }

    /** A shared-volume writer's result: the volume as it wrote it, and each of its chunks' states in order (CRC-32). */
    private record Written(byte[] volume, Map<Integer, List<Long>> states) {
    }

    @Test
    void ownVolumesAndASharedVolumeSurviveConcurrentChanges() throws Exception {
        try (VolumePool pool = VolumePool.create(List.of(LbsSpec.normal(new MemoryDevice("stress", 2048))),
                VolumePoolTest.SMALL)) {
            Volume shared = pool.createVolume("shared", SIZE);
            ExecutorService executor = Executors.newFixedThreadPool(2 * THREADS + 1);
            CountDownLatch start = new CountDownLatch(1);
            AtomicBoolean writing = new AtomicBoolean(true);
            List<Future<Owned>> owners = new ArrayList<>();
            List<Future<Written>> writers = new ArrayList<>();
            try {
                for (int t = 0; t < THREADS; t++) {
                    int thread = t;
                    owners.add(executor.submit(started(start, () -> ownVolumes(pool, thread))));
                    writers.add(executor.submit(started(start, () -> sharedWriter(shared, thread))));
                }
                Future<List<Snapshot>> snapshotter = executor.submit(started(start,
                        () -> snapshotWhileWriting(shared, writing)));
                start.countDown();
                long deadline = System.currentTimeMillis() + DEADLINE_MILLIS;
                Map<BlockImage, PoolModel.Image> all = new LinkedHashMap<>();
                for (Future<Owned> f : owners) {
                    all.putAll(await(f, deadline).images());
                }
                byte[] expected = new byte[(int) SIZE];
                Map<Integer, List<Long>> states = new LinkedHashMap<>();
                for (int w = 0; w < THREADS; w++) {
                    Written written = await(writers.get(w), deadline);
                    for (int c = w; c < SIZE / CHUNK; c += THREADS) {
                        System.arraycopy(written.volume(), c * CHUNK, expected, c * CHUNK, CHUNK);
                    }
                    states.putAll(written.states());
                }
                writing.set(false);
                List<Snapshot> kept = await(snapshotter, deadline);
                assertSnapshotsAreMomentsOfTheWrites(kept, states);

                for (Map.Entry<BlockImage, PoolModel.Image> e : all.entrySet()) {
                    PoolModel.assertContent(e.getKey() + " (seed " + seed + ")", e.getValue(), e.getKey(), SIZE);
                }
                PoolModel.assertSpace(all, all.keySet().stream().collect(Collectors.toMap(i -> i, i -> i)));
                assertArrayEquals(expected, VolumePoolTest.read(shared, 0, (int) SIZE),
                        "the shared volume holds every writer's last write (seed " + seed + ")");
                assertEquals(kept.size(), shared.history().size());
                for (Snapshot s : shared.history()) {
                    s.delete();
                }
                assertEquals(shared.space().allocated(), shared.space().exclusive(), "nothing shares its blocks now");
                assertEquals(List.of(), pool.check(), "seed " + seed);
            } finally {
                executor.shutdownNow();
                if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                    fail("the stress threads did not stop\n" + threadDump());
                }
            }
        }
    }

    /** Reads, writes and diffs of a volume that another thread keeps reverting never fail; the last revert wins. */
    @Test
    void ioAndDiffNeverFailForAConcurrentRevert() throws Exception {
        try (VolumePool pool = VolumePoolTest.memoryPool(1024)) {
            Volume v = pool.createVolume("v", SIZE);
            byte[] base = VolumePoolTest.random((int) SIZE, seed);
            v.write(0, base);
            Snapshot snapshot = v.snapshot("base");
            ExecutorService executor = Executors.newFixedThreadPool(THREADS);
            AtomicBoolean reverting = new AtomicBoolean(true);
            try {
                List<Future<Integer>> io = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    Random random = new Random(seed + t);
                    io.add(executor.submit(() -> {
                        int n = 0;
                        for (; reverting.get(); n++) {
                            long position = random.nextLong(SIZE - CHUNK);
                            switch (n % 3) {
                                case 0 -> v.write(position, VolumePoolTest.random(CHUNK, n));
                                case 1 -> VolumePoolTest.read(v, position, CHUNK);
                                default -> pool.diff(snapshot, v);
                            }
                        }
                        return n;
                    }));
                }
                for (int i = 0; i < 300; i++) {
                    v.revertTo(snapshot);
                }
                reverting.set(false);
                long deadline = System.currentTimeMillis() + DEADLINE_MILLIS;
                for (Future<Integer> f : io) {
                    assertTrue(await(f, deadline) > 0, "every I/O thread got going");
                }
                v.revertTo(snapshot);
                assertArrayEquals(base, VolumePoolTest.read(v, 0, (int) SIZE));
                assertEquals(List.of(), pool.check());
            } finally {
                executor.shutdownNow();
                assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS), "the I/O threads stopped");
            }
        }
    }

    /** Owns two volumes and, over time, clones and snapshots of them; checks every read against the model. */
    private Owned ownVolumes(VolumePool pool, int thread) {
        Random random = new Random(seed + thread);
        Map<Volume, PoolModel.Image> volumes = new LinkedHashMap<>();
        Map<Snapshot, PoolModel.Image> snapshots = new LinkedHashMap<>();
        int names = 0;
        for (int i = 0; i < 2; i++) {
            volumes.put(pool.createVolume("t" + thread + "-v" + names++, SIZE), new PoolModel.Image(SIZE));
        }
        for (int i = 0; i < ITERATIONS; i++) {
            Volume v = pick(volumes, random);
            PoolModel.Image m = volumes.get(v);
            long position = random.nextLong(SIZE);
            int length = (int) Math.min(SIZE - position, 1 + random.nextInt(3 * Blocks.SIZE));
            String where = "thread " + thread + " step " + i + " (seed " + seed + "): " + v;
            int dice = random.nextInt(100);
            if (dice < 40) {
                byte[] data = new byte[length];
                random.nextBytes(data);
                v.write(position, data);
                m.write(position, data);
            } else if (dice < 60) {
                assertArrayEquals(m.read(position, length), VolumePoolTest.read(v, position, length), where);
            } else if (dice < 66) {
                v.discard(position, length);
                m.discard(position, length);
            } else if (dice < 74 && snapshots.size() < 6) {
                snapshots.put(v.snapshot("s" + names++), m.copy());
            } else if (dice < 81) {
                List<Snapshot> own = snapshots.keySet().stream().filter(s -> s.volumeId() == v.id()).toList();
                if (!own.isEmpty()) {
                    Snapshot target = own.get(random.nextInt(own.size()));
                    v.revertTo(target);
                    volumes.put(v, snapshots.get(target).copy());
                }
            } else if (dice < 86 && !snapshots.isEmpty()) {
                Snapshot source = pick(snapshots, random);
                if (volumes.size() < 4) {
                    volumes.put(pool.clone(source, "t" + thread + "-v" + names++), snapshots.get(source).copy());
                } else {
                    v.delete();
                    volumes.remove(v);
                    snapshots.keySet().removeIf(s -> s.volumeId() == v.id());
                }
            } else if (dice < 92 && !snapshots.isEmpty()) {
                Snapshot s = pick(snapshots, random);
                s.delete();
                snapshots.remove(s);
            } else if (!snapshots.isEmpty()) {
                Snapshot s = pick(snapshots, random);
                PoolModel.assertContent(s + " of " + where, snapshots.get(s), s, 0);
            }
        }
        Map<BlockImage, PoolModel.Image> images = new LinkedHashMap<>(volumes);
        images.putAll(snapshots);
        return new Owned(images);
    }

    /**
     * Each chunk of every kept snapshot of the shared volume must be one of the states its writer
     * left it in, and a later snapshot must never hold an earlier state than a snapshot before it.
     */
    private void assertSnapshotsAreMomentsOfTheWrites(List<Snapshot> kept, Map<Integer, List<Long>> states) {
        Map<Integer, Integer> latest = new LinkedHashMap<>();
        for (Snapshot s : kept) {
            byte[] content = VolumePoolTest.read(s, 0, (int) SIZE);
            for (Map.Entry<Integer, List<Long>> e : states.entrySet()) {
                int chunk = e.getKey();
                int state = e.getValue().indexOf(crc(content, chunk * CHUNK, CHUNK));
                String where = s + " chunk " + chunk + " (seed " + seed + ")";
                assertTrue(state >= 0, where + " holds bytes its writer never left there: a torn or lost write");
                assertTrue(state >= latest.getOrDefault(chunk, 0), where + " went back in time");
                latest.put(chunk, state);
            }
        }
    }

    private static long crc(byte[] data, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(data, offset, length);
        return crc.getValue();
    }

    /** Writes random pieces of its own chunks of {@code shared}; returns the volume as it wrote it and each chunk's states. */
    private Written sharedWriter(Volume shared, int writer) {
        Random random = new Random(seed - writer - 1);
        byte[] model = new byte[(int) SIZE];
        int chunks = (int) (SIZE / CHUNK / THREADS);
        Map<Integer, List<Long>> states = new LinkedHashMap<>();
        for (int c = writer; c < SIZE / CHUNK; c += THREADS) {
            states.put(c, new ArrayList<>(List.of(crc(model, c * CHUNK, CHUNK))));
        }
        for (int i = 0; i < SHARED_WRITES; i++) {
            int chunk = random.nextInt(chunks) * THREADS + writer;
            int from = random.nextBoolean() ? 0 : random.nextInt(CHUNK);
            int length = 1 + random.nextInt(CHUNK - from);
            byte[] data = new byte[length];
            random.nextBytes(data);
            long position = (long) chunk * CHUNK + from;
            shared.write(position, data);
            System.arraycopy(data, 0, model, (int) position, length);
            states.get(chunk).add(crc(model, chunk * CHUNK, CHUNK));
            if (i % 16 == 0) {
                assertArrayEquals(Arrays.copyOfRange(model, chunk * CHUNK, (chunk + 1) * CHUNK),
                        VolumePoolTest.read(shared, (long) chunk * CHUNK, CHUNK),
                        "writer " + writer + " chunk " + chunk + " step " + i + " (seed " + seed + ")");
            }
        }
        return new Written(model, states);
    }

    /**
     * Snapshots the shared volume while the writers run, deleting all but the last three and
     * every tenth (up to ten); returns the snapshots left, oldest first.
     */
    private static List<Snapshot> snapshotWhileWriting(Volume shared, AtomicBoolean writing) throws InterruptedException {
        List<Snapshot> live = new ArrayList<>();
        List<Snapshot> recent = new ArrayList<>();
        int kept = 0;
        for (int n = 0; writing.get(); n++) {
            Snapshot s = shared.snapshot("during-" + n);
            live.add(s);
            if (n % 10 == 0 && kept < 10) {
                kept++;
            } else {
                recent.add(s);
            }
            if (recent.size() > 3) {
                Snapshot old = recent.removeFirst();
                old.delete();
                live.remove(old);
            }
            Thread.sleep(2);
        }
        return live;
    }

    private static <T> Callable<T> started(CountDownLatch start, Callable<T> body) {
        return () -> {
            start.await();
            return body.call();
        };
    }

    private static <T> T await(Future<T> future, long deadline) throws InterruptedException {
        try {
            return future.get(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return fail("no progress within " + DEADLINE_MILLIS + " ms: deadlock?\n" + threadDump());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new AssertionError("a stress thread failed", e.getCause());
        }
    }

    private static String threadDump() {
        StringBuilder out = new StringBuilder();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            out.append(thread.getName()).append(' ').append(thread.getState()).append('\n');
            for (StackTraceElement frame : stack) {
                out.append("    at ").append(frame).append('\n');
            }
        });
        return out.toString();
    }

    private static <K> K pick(Map<K, ?> map, Random random) {
        return new ArrayList<>(map.keySet()).get(random.nextInt(map.size()));
    }

    /** findVolume answers present or empty while the volume comes and goes; it never throws NotFound. */
    @Test
    void findVolumeNeverFailsForAVolumeDeletedMeanwhile() throws Exception {
        try (VolumePool pool = VolumePoolTest.memoryPool(1024)) {
            whileAVolumeComesAndGoes(pool, () -> pool.findVolume("x"));
        }
    }

    /** volumesOf lists a client's volumes while others come and go; it never throws NotFound. */
    @Test
    void volumesOfNeverFailsForAVolumeDeletedMeanwhile() throws Exception {
        try (VolumePool pool = VolumePoolTest.memoryPool(1024)) {
            long pc = PoolFixtures.client(pool, "pc", 1).id();
            pool.clients().assign(pool.createVolume("kept", Blocks.SIZE), pc);
            whileAVolumeComesAndGoes(pool,
                    () -> assertEquals(List.of("kept"), pool.clients().volumesOf(pc).stream().map(Volume::name).toList()));
        }
    }

    /** Runs {@code check} over and over for three seconds while another thread creates and deletes volume "x". */
    private static void whileAVolumeComesAndGoes(VolumePool pool, Runnable check) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService churn = Executors.newSingleThreadExecutor();
        Future<?> done = churn.submit(() -> {
            while (!stop.get()) {
                pool.createVolume("x", Blocks.SIZE).delete();
            }
            return null;
        });
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (System.nanoTime() - end < 0) {
                check.run();
            }
        } finally {
            stop.set(true);
            done.get(10, TimeUnit.SECONDS);
            churn.shutdown();
        }
    }
}

package io.coems.sfs;

import io.coems.matrix.Blocks;
import io.coems.matrix.device.MemoryDevice;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Several threads at once, each with vnodes of its own (and their models): in-place and
 * copy-on-write writes, reads, spawns of its own vnodes, deletes, discards, while another
 * thread flushes and the periodic commit runs. Vnode slots of different threads share lock
 * stripes, vnode-table blocks, count blocks and the metadata cache. Afterwards every vnode
 * agrees with its model, {@code check()} is clean, and deleting everything frees everything.
 */
class ConcurrencyStressTest {
    private static final int THREADS = 4;
    private static final int OPERATIONS = 400;
    private static final long VNODE_BLOCKS = 24;

    @Test
    void concurrentWorkAgreesWithPerThreadModels() throws Exception {
        long seed = new Random().nextLong();
        MemoryDevice store = new MemoryDevice("stress", 4096);
        SfsOptions options = new SfsOptions(256, 32, 64, 20, 1L << 18);
        try (SuperFileSystem fs = SuperFileSystem.format(store, options)) {
            long free = fs.freeBlocks();
            Map<VnodeId, SfsModelProperties.Model> models = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
            try {
                List<Future<?>> work = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    Random random = new Random(seed + t);
                    work.add(pool.submit(() -> {
                        runThread(fs, random, models);
                        return null;
                    }));
                }
                Future<?> flusher = pool.submit(() -> {
                    while (work.stream().anyMatch(f -> !f.isDone())) {
                        fs.flush();
                        Thread.sleep(5);
                    }
                    return null;
                });
                for (Future<?> f : work) {
                    f.get(120, TimeUnit.SECONDS);
                }
                flusher.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("stress run failed (seed " + seed + ")", e);
            } finally {
                pool.shutdownNow();
            }
            assertEquals(List.of(), fs.check(), "seed " + seed);
            for (Map.Entry<VnodeId, SfsModelProperties.Model> e : models.entrySet()) {
                for (Map.Entry<Long, byte[]> block : e.getValue().blocks.entrySet()) {
                    byte[] got = new byte[Blocks.SIZE];
                    fs.read(e.getKey(), Blocks.bytes(block.getKey()), MemorySegment.ofArray(got));
                    assertArrayEquals(block.getValue(), got, e.getKey() + " block " + block.getKey() + ", seed " + seed);
                }
            }
            for (VnodeId id : models.keySet()) {
                fs.delete(id);
            }
            assertEquals(free, fs.freeBlocks(), "seed " + seed);
            assertEquals(List.of(), fs.check(), "seed " + seed);
        }
        store.close();
    }

    /** One thread's work on vnodes only it uses; its models go into {@code models} at the end. */
    private static void runThread(SuperFileSystem fs, Random random, Map<VnodeId, SfsModelProperties.Model> models) {
        List<VnodeId> ids = new ArrayList<>();
        List<SfsModelProperties.Model> mine = new ArrayList<>();
        for (int i = 0; i < OPERATIONS; i++) {
            int op = random.nextInt(100);
            if (ids.isEmpty() || op < 5) {
                ids.add(fs.create(Blocks.bytes(VNODE_BLOCKS)));
                mine.add(new SfsModelProperties.Model());
                continue;
            }
            int v = random.nextInt(ids.size());
            VnodeId id = ids.get(v);
            long position = Blocks.bytes(random.nextInt((int) VNODE_BLOCKS - 2)) + random.nextInt(Blocks.SIZE);
            int length = 1 + random.nextInt(Blocks.SIZE + Blocks.SIZE / 2);
            if (op < 55) {
                byte[] data = new byte[length];
                random.nextBytes(data);
                fs.write(id, position, MemorySegment.ofArray(data));
                mine.get(v).write(position, data);
            } else if (op < 75) {
                byte[] got = new byte[length];
                fs.read(id, position, MemorySegment.ofArray(got));
                assertArrayEquals(mine.get(v).read(position, length), got, "read of " + id);
            } else if (op < 85) {
                ids.add(fs.spawn(id));
                mine.add(mine.get(v).copy());
            } else if (op < 92) {
                fs.discard(id, position, length);
                mine.get(v).write(position, new byte[length]);
            } else if (ids.size() > 1) {
                fs.delete(ids.remove(v));
                mine.remove(v);
            }
        }
        for (int v = 0; v < ids.size(); v++) {
            models.put(ids.get(v), mine.get(v));
        }
    }
}

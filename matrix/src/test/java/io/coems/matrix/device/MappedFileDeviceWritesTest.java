package io.coems.matrix.device;

import io.coems.matrix.Blocks;
import io.coems.matrix.DeviceHealth;
import io.coems.matrix.MatrixClosedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link MappedFileDevice}'s writes through the file from several threads: in parallel, interrupted, closed under them. */
class MappedFileDeviceWritesTest {
    @TempDir
    Path dir;

    private static byte[] random(int length, long seed) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static byte[] read(MappedFileDevice device, long block, int offset, int length) {
        byte[] data = new byte[length];
        device.read(block, offset, MemorySegment.ofArray(data));
        return data;
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** Block {@code block}'s content in these tests: distinct per block. */
    private static byte[] content(long block) {
        return random(Blocks.SIZE, 1000 + block);
    }

    /**
     * Writes {@code content(block)} the way {@code block % 3} says: from a whole heap array (no
     * copy), from a slice of a larger heap array (its own offset) or from a native segment
     * (through the descriptor's scratch array).
     */
    private static void writeBlock(MappedFileDevice device, long block) {
        byte[] data = content(block);
        switch ((int) (block % 3)) {
            case 0 -> device.write(block, 0, MemorySegment.ofArray(data));
            case 1 -> {
                byte[] larger = new byte[data.length + 37];
                System.arraycopy(data, 0, larger, 37, data.length);
                device.write(block, 0, MemorySegment.ofArray(larger).asSlice(37));
            }
            default -> {
                try (Arena arena = Arena.ofConfined()) {
                    device.write(block, 0, arena.allocate(data.length).copyFrom(MemorySegment.ofArray(data)));
                }
            }
        }
    }

    /**
     * Another thread holding {@code locks} (as writes in flight on those descriptors would) until
     * closed; closing releases them even when the test failed, so no writer is left waiting.
     */
    private static final class Holder implements AutoCloseable {
        private final CountDownLatch release = new CountDownLatch(1);
        private final Thread thread;

        Holder(ReentrantLock... locks) throws InterruptedException {
            CountDownLatch holding = new CountDownLatch(1);
            thread = Thread.ofPlatform().start(() -> {
                for (ReentrantLock lock : locks) {
                    lock.lock();
                }
                try {
                    holding.countDown();
                    release.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                } finally {
                    for (ReentrantLock lock : locks) {
                        lock.unlock();
                    }
                }
            });
            holding.await();
        }

        @Override
        public void close() {
            release.countDown();
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void threadsWriteDistinctNewBlocksThroughTheFileAtOnceAndEverythingReadsBack() throws Exception {
        int threads = 8;
        int perThread = 12;
        long blocks = threads * perThread;
        try (MappedFileDevice device = MappedFileDevice.create(dir.resolve("parallel.dev"), blocks, false);
             ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                writers.add(pool.submit(() -> {
                    start.await();
                    for (long block = first; block < blocks; block += threads) { // interleaved over the file
                        writeBlock(device, block);
                    }
                    return null;
                }));
            }
            for (Future<?> writer : writers) {
                writer.get(60, TimeUnit.SECONDS);
            }
            assertEquals(blocks, device.fileWrites(), "every first write went through the file");
            for (long block = 0; block < blocks; block++) {
                assertArrayEquals(content(block), read(device, block, 0, Blocks.SIZE), "block " + block);
            }
            device.write(5, 0, MemorySegment.ofArray(content(6)));
            assertEquals(blocks, device.fileWrites(), "a written block is written through the mapping");
            assertArrayEquals(content(6), read(device, 5, 0, Blocks.SIZE));
            device.flush();
            assertEquals(DeviceHealth.ONLINE, device.health());
        }
    }

    /**
     * While another thread holds any one descriptor (as a write in flight on it would), a write
     * through the file still completes, on another descriptor; with all of them held, it waits.
     * With one lock for all writes through the file (as before), the first part would wait too.
     */
    @Test
    void aWriteThroughTheFileProceedsWhileAnotherIsInFlight() throws Exception {
        try (MappedFileDevice device = MappedFileDevice.create(dir.resolve("inflight.dev"), 64, false);
             ExecutorService pool = Executors.newCachedThreadPool()) {
            ReentrantLock[] locks = device.fileWriteLocks();
            assertTrue(locks.length >= 2, "at least two descriptors, whatever the processor count");
            assertTrue(locks.length <= 8);
            long block = 0;
            for (ReentrantLock held : locks) {
                try (Holder _ = new Holder(held)) {
                    // from a pool thread and from this thread (other ids, so other first choices)
                    long fromPool = block++;
                    pool.submit(() -> writeBlock(device, fromPool)).get(30, TimeUnit.SECONDS);
                    writeBlock(device, block++);
                }
            }
            assertEquals(block, device.fileWrites());

            // every descriptor busy: the write waits for one
            long waiting = block++;
            Future<?> write;
            try (Holder _ = new Holder(locks)) {
                write = pool.submit(() -> writeBlock(device, waiting));
                assertThrows(TimeoutException.class, () -> write.get(200, TimeUnit.MILLISECONDS));
            }
            write.get(30, TimeUnit.SECONDS);
            assertEquals(block, device.fileWrites());
            for (long b = 0; b < block; b++) {
                assertArrayEquals(content(b), read(device, b, 0, Blocks.SIZE), "block " + b);
            }
        }
    }

    @Test
    void eachDescriptorIsItsOwnOpenFileAndCloseReleasesThemAll() throws Exception {
        Path path = dir.resolve("fds.dev");
        long before = openDescriptors();
        MappedFileDevice device = MappedFileDevice.create(path, 4, false);
        int descriptors = device.fileWriteLocks().length;
        assertEquals(before + descriptors, openDescriptors(), "one descriptor per lock (the channel shares the first)");
        device.close();
        assertEquals(before, openDescriptors());
        device = MappedFileDevice.open(path);
        assertEquals(before + descriptors, openDescriptors());
        device.close();
        assertEquals(before, openDescriptors());
    }

    @Test
    void aFailedOpenLeaksNoDescriptor() throws Exception {
        Path path = dir.resolve("odd.dev");
        Files.write(path, new byte[Blocks.SIZE + 1]);
        long before = openDescriptors();
        assertThrows(RuntimeException.class, () -> MappedFileDevice.open(path));
        assertThrows(RuntimeException.class, () -> MappedFileDevice.create(path, 4, false));
        assertEquals(before, openDescriptors());
        MappedFileDevice.create(path, 4, true).close(); // and the file is not left claimed
        assertEquals(before, openDescriptors());
    }

    @Test
    void anInterruptedWriterWritesKeepsItsFlagAndLeavesTheDeviceWorking() throws Exception {
        Path path = dir.resolve("interrupt.dev");
        int blocks = 32;
        try (MappedFileDevice device = MappedFileDevice.create(path, blocks, false);
             ExecutorService pool = Executors.newFixedThreadPool(4)) {
            // interrupted before writes through the file, from each kind of source, on every descriptor it gets
            Thread.currentThread().interrupt();
            try {
                for (long block = 0; block < 6; block++) {
                    writeBlock(device, block);
                    assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is left to its owner");
                }
            } finally {
                assertTrue(Thread.interrupted());
            }

            // interrupted while waiting for a descriptor: it still waits, then writes
            ReentrantLock[] locks = device.fileWriteLocks();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicReference<Boolean> flagAfter = new AtomicReference<>();
            Thread waiter;
            try (Holder _ = new Holder(locks)) {
                waiter = Thread.ofPlatform().start(() -> {
                    try {
                        writeBlock(device, 6);
                        flagAfter.set(Thread.currentThread().isInterrupted());
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                });
                while (Stream.of(locks).noneMatch(ReentrantLock::hasQueuedThreads)) {
                    Thread.onSpinWait();
                }
                waiter.interrupt();
                Thread.sleep(50);
                assertTrue(waiter.isAlive(), "the interrupted writer still waits for a descriptor");
            }
            waiter.join(30_000);
            assertFalse(waiter.isAlive());
            assertNull(failure.get());
            assertEquals(Boolean.TRUE, flagAfter.get(), "the interrupt is left to its owner");

            // other threads keep writing through the file and the mapping
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int first = 7 + t;
                writers.add(pool.submit(() -> {
                    for (long block = first; block < blocks; block += 4) {
                        writeBlock(device, block);
                        writeBlock(device, block); // through the mapping
                    }
                }));
            }
            for (Future<?> writer : writers) {
                writer.get(60, TimeUnit.SECONDS);
            }
            assertEquals(blocks, device.fileWrites());
            device.flush();
            assertEquals(DeviceHealth.ONLINE, device.health());
        }
        try (MappedFileDevice device = MappedFileDevice.open(path)) {
            for (long block = 0; block < blocks; block++) {
                assertArrayEquals(content(block), read(device, block, 0, Blocks.SIZE), "block " + block);
            }
        }
    }

    @Test
    void closingWhileWritersRunStopsThemWithTheClosedExceptionOnlyAndLeaksNoDescriptor() throws Exception {
        long before = openDescriptors();
        int threads = 6;
        long blocks = 4096; // 256 MiB sparse: the writers run out of new blocks only long after the close
        MappedFileDevice device = MappedFileDevice.create(dir.resolve("closing.dev"), blocks, false);
        List<Thread> writers = new ArrayList<>();
        List<Throwable> endings = new ArrayList<>();
        AtomicInteger writes = new AtomicInteger();
        for (int t = 0; t < threads; t++) {
            int first = t;
            endings.add(null);
            writers.add(Thread.ofPlatform().start(() -> {
                try {
                    for (long block = first; block < blocks; block += threads) {
                        writeBlock(device, block);
                        writes.incrementAndGet();
                        if (block % 2 == 0) {
                            writeBlock(device, block); // through the mapping
                        }
                    }
                    synchronized (endings) {
                        endings.set(first, new AssertionError("writer " + first + " ran out of blocks before the close"));
                    }
                } catch (Throwable e) {
                    synchronized (endings) {
                        endings.set(first, e);
                    }
                }
            }));
        }
        while (writes.get() < 2 * threads) {
            Thread.sleep(1);
        }
        device.close();
        for (Thread writer : writers) {
            writer.join(60_000);
            assertFalse(writer.isAlive());
        }
        synchronized (endings) {
            for (Throwable ending : endings) {
                assertInstanceOf(MatrixClosedException.class, ending, () -> String.valueOf(ending));
            }
        }
        assertThrows(MatrixClosedException.class, () -> writeBlock(device, blocks - 1));
        device.close();
        assertEquals(before, openDescriptors(), "every descriptor of the device is closed");
    }
}

package io.coems.benchmarks.vvm;

import io.coems.matrix.BlockDevice;
import io.coems.matrix.Blocks;
import io.coems.matrix.LbsSpec;
import io.coems.matrix.device.MappedFileDevice;
import io.coems.vvm.PoolOptions;
import io.coems.vvm.Volume;
import io.coems.vvm.VolumePool;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The large pool of issue 5: {@value #VOLUMES} volumes of 1 GiB with {@value #SNAPSHOTS}
 * snapshots each (110,000 volume states), each volume with one 64 KiB block written before
 * its first snapshot. With the default 4080 states per 2 GiB group it needs 27 groups, so the
 * pool is one sparse 64 GiB device file ({@link #options()}).
 *
 * <pre>
 * java -cp benchmarks.jar io.coems.benchmarks.vvm.LargePool build DIR [durable|deferred] [volumes]
 * java -Xmx64m -cp benchmarks.jar io.coems.benchmarks.vvm.LargePool open DIR [times]
 * </pre>
 *
 * {@code build durable} goes through {@link VolumePool#create(Path, PoolOptions)}: every
 * change is durable when it returns (device syncs on disk). {@code build deferred} (the
 * default) builds the same directory pool through the public explicit-layout API over the same
 * file, wrapped in a device whose {@code flush()} does nothing until the pool is closed: the
 * same metadata and the same journal work, one sync at the end instead of one per change.
 * {@code open} opens the pool {@code times} times in this JVM and prints, per open, the time
 * of {@link VolumePool#open(Path, PoolOptions)} (wall and the opening thread's CPU time) and the heap in use after a full GC with the
 * pool open, minus the heap in use before.
 */
public final class LargePool {
    static final int VOLUMES = 10_000;
    static final int SNAPSHOTS = 10;

    private LargePool() {
    }

    /** Defaults, with one 64 GiB device file (32 groups of 4080 states). */
    static PoolOptions options() {
        return PoolOptions.defaults().withFileBytes(64L << 30);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        switch (args[0]) {
            case "build" -> build(dir, args.length > 2 ? args[2] : "deferred",
                    args.length > 3 ? Integer.parseInt(args[3]) : VOLUMES);
            case "open" -> {
                int times = args.length > 2 ? Integer.parseInt(args[2]) : 1;
                for (int i = 0; i < times; i++) {
                    open(dir);
                }
            }
            default -> throw new IllegalArgumentException("usage: LargePool build|open DIR ...");
        }
    }

    /** Builds the pool in {@code dir} unless it is there already. */
    static void ensureBuilt(Path dir) {
        if (!Files.exists(dir.resolve("built"))) {
            build(dir, "deferred", VOLUMES);
        }
    }

    static void build(Path dir, String mode, int volumes) {
        io.coems.benchmarks.matrix.Fixtures.deleteTree(Files.exists(dir) ? dir : null);
        long start = System.nanoTime();
        DeferredFlushDevice device = null;
        VolumePool pool;
        if (mode.equals("durable")) {
            pool = VolumePool.create(dir, options());
        } else {
            try {
                Files.createDirectories(dir);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            device = new DeferredFlushDevice(MappedFileDevice.create(dir.resolve("pool-0000.coems"),
                    options().fileBytes() / Blocks.SIZE, false));
            pool = VolumePool.create(List.of(LbsSpec.normal(device)), options());
        }
        try (Arena arena = Arena.ofConfined(); pool) {
            MemorySegment block = arena.allocate(Blocks.SIZE);
            block.fill((byte) 7);
            long last = start;
            for (int v = 0; v < volumes; v++) {
                Volume volume = pool.createVolume(String.format("vol-%05d", v), 1L << 30);
                volume.write(Blocks.bytes(v % 16384), block);
                for (int s = 0; s < SNAPSHOTS; s++) {
                    volume.snapshot("snap-" + s);
                }
                if ((v + 1) % 1000 == 0 || v + 1 == volumes) {
                    long now = System.nanoTime();
                    System.out.printf("%s: %d volumes, %d changes, %.1f s, last 1000 volumes %.2f ms per change%n",
                            mode, v + 1, (v + 1) * (SNAPSHOTS + 1L), (now - start) / 1e9,
                            (now - last) / 1e6 / ((SNAPSHOTS + 1L) * Math.min(1000, v + 1)));
                    last = now;
                }
            }
            if (device != null) {
                device.deferred = false;
            }
        }
        long end = System.nanoTime();
        System.out.printf("%s build of %d volumes x %d snapshots: %.1f s, %.2f ms per change%n", mode, volumes,
                SNAPSHOTS, (end - start) / 1e9, (end - start) / 1e6 / (volumes * (SNAPSHOTS + 1L)));
        if (volumes == VOLUMES) {
            try {
                Files.writeString(dir.resolve("built"), mode + "\n");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    static void open(Path dir) {
        long before = heapAfterGc();
        var threads = ManagementFactory.getThreadMXBean();
        long cpu = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        try (VolumePool pool = VolumePool.open(dir, options())) {
            long opened = System.nanoTime();
            cpu = threads.getCurrentThreadCpuTime() - cpu;
            long after = heapAfterGc();
            int volumes = pool.volumes().size();
            System.out.printf("open: %.1f ms (thread CPU %.1f ms), heap %.1f MiB (pool %.1f MiB over %.1f MiB before),"
                    + " %d volumes, max heap %.0f MiB%n", (opened - start) / 1e6, cpu / 1e6, after / 1048576.0,
                    (after - before) / 1048576.0, before / 1048576.0, volumes, Runtime.getRuntime().maxMemory() / 1048576.0);
        }
    }

    /** Heap in use after full collections. */
    static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * A device whose {@code flush()} does nothing while {@link #deferred}: the build's changes
     * reach the file through the page cache and are forced once at the end.
     */
    static final class DeferredFlushDevice extends ForwardingDevice {
        volatile boolean deferred = true;

        DeferredFlushDevice(BlockDevice device) {
            super(device);
        }

        @Override
        public void flush() {
            if (!deferred) {
                device.flush();
            }
        }

        @Override
        public void close() {
            device.flush();
            device.close();
        }
    }
}

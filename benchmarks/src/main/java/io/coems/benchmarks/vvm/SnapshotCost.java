package io.coems.benchmarks.vvm;

import io.coems.matrix.BlockDevice;
import io.coems.matrix.Blocks;
import io.coems.matrix.LbsSpec;
import io.coems.matrix.device.MemoryDevice;
import io.coems.vvm.PoolOptions;
import io.coems.vvm.Snapshot;
import io.coems.vvm.Volume;
import io.coems.vvm.VolumePool;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;

/**
 * What one snapshot and one clone cost, measured so that a loaded machine does not hide it: the
 * calling thread's CPU time per operation (not wall time), and the device writes and flushes
 * each one issues, on a pool over an off-heap memory device (no sync cost), for a volume with
 * 64 MiB and with 8 GiB written in the same 9 GiB pool. Snapshots and clones are deleted again
 * outside the measured section, so the pool never holds more than one extra state.
 *
 * <pre>
 * java -cp benchmarks.jar io.coems.benchmarks.vvm.SnapshotCost [operations per round] [rounds]
 * </pre>
 */
public final class SnapshotCost {
    private SnapshotCost() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        for (int mib : new int[] {64, 8192}) {
            run(mib, n, rounds);
        }
    }

    private static void run(int writtenMiB, int n, int rounds) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        CountingDevice device = new CountingDevice(new MemoryDevice("cost", SnapshotBenchmark.POOL_BYTES / Blocks.SIZE));
        try (Arena arena = Arena.ofConfined();
                VolumePool pool = VolumePool.create(List.of(LbsSpec.normal(device)),
                        PoolOptions.defaults().withCommitMillis(0))) {
            long blocks = writtenMiB * 16L;
            Volume volume = pool.createVolume("bench", Blocks.bytes(blocks));
            MemorySegment chunk = arena.allocate(Blocks.bytes(16));
            chunk.fill((byte) 3);
            for (long b = 0; b < blocks; b += 16) {
                volume.write(Blocks.bytes(b), chunk);
            }
            pool.flush();
            Snapshot base = volume.snapshot("base");
            long counter = 0;
            for (int round = 0; round < rounds; round++) {
                for (String op : List.of("snapshot", "clone")) {
                    long cpu = 0;
                    long wall = 0;
                    long bytes = 0;
                    long writes = 0;
                    long flushes = 0;
                    for (int i = 0; i < n; i++) {
                        device.reset();
                        long c0 = threads.getCurrentThreadCpuTime();
                        long t0 = System.nanoTime();
                        Runnable undo;
                        if (op.equals("snapshot")) {
                            Snapshot s = volume.snapshot("s" + counter++);
                            undo = s::delete;
                        } else {
                            Volume c = pool.clone(base, "c" + counter++);
                            undo = c::delete;
                        }
                        wall += System.nanoTime() - t0;
                        cpu += threads.getCurrentThreadCpuTime() - c0;
                        bytes += device.bytes;
                        writes += device.writes;
                        flushes += device.flushes;
                        undo.run();
                    }
                    System.out.printf("written %5d MiB, round %d, %-8s: CPU %6.1f us, wall %7.1f us, device writes %.1f"
                                    + " (%.0f KiB), device flushes %.1f per operation%n", writtenMiB, round, op,
                            cpu / 1e3 / n, wall / 1e3 / n, writes / (double) n, bytes / 1024.0 / n, flushes / (double) n);
                }
            }
        }
    }

    /** A device that counts what is written and flushed through it. */
    private static final class CountingDevice extends ForwardingDevice {
        long bytes;
        long writes;
        long flushes;

        CountingDevice(BlockDevice device) {
            super(device);
        }

        void reset() {
            bytes = 0;
            writes = 0;
            flushes = 0;
        }

        @Override
        public void write(long block, int offset, MemorySegment src) {
            bytes += src.byteSize();
            writes++;
            device.write(block, offset, src);
        }

        @Override
        public void flush() {
            flushes++;
            device.flush();
        }
    }
}

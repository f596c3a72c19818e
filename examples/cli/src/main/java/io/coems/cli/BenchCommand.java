package io.coems.cli;

import io.coems.vvm.Snapshot;
import io.coems.vvm.Volume;
import io.coems.vvm.VolumePool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code coems bench}: a workload with the knobs of {@code qemu-img bench}, on a pool it creates
 * in the {@code --pool} directory (new or empty) and removes afterwards, after preparing a
 * {@link BenchScenario}; or, in the {@code snapshot} scenario, the time snapshots take.
 */
@Command(name = "bench", sortOptions = false,
        description = {"Measure I/O with the knobs of 'qemu-img bench' on a pool made for it in the --pool directory "
                + "(new or empty; removed afterwards unless --keep).",
                "First a volume gets its data (--data bytes from its start, flushed), then the SCENARIO's state:",
                "  owned           nothing more: reads and overwrites of blocks the volume owns",
                "  after-snapshot  a snapshot: every write is a first write into a shared block",
                "  clone           a snapshot and a clone of it, which the run uses (reads read through)",
                "  snapshot        no I/O run: --repeat snapshots are timed, each deleted before the next",
                "The queue depth is that many virtual threads issuing the requests (the volume API is "
                        + "synchronous). Offsets wrap modulo the volume size, as in qemu-img bench 7.2."})
final class BenchCommand implements Callable<Integer> {
    private static final long DEFAULT_VOLUME_SIZE = 1L << 30;

    @ParentCommand
    private Coems coems;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SCENARIO", defaultValue = "owned",
            completionCandidates = BenchScenario.Names.class,
            description = "owned (default), after-snapshot, clone or snapshot.")
    private String scenario;

    @Option(names = {"-c", "--count"}, paramLabel = "N", description = "Requests (default 75000).")
    private long count = Workload.DEFAULT_COUNT;

    @Option(names = {"-s", "--size"}, paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Bytes per request (default 4K, at most 64M).")
    private long size = Workload.DEFAULT_SIZE;

    @Option(names = {"-S", "--step"}, paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Bytes from one request's offset to the next (default and 0: the request size).")
    private long step;

    @Option(names = {"-o", "--offset"}, paramLabel = "SIZE", converter = SizeConverter.class,
            description = "The first request's offset (default 0).")
    private long offset;

    @Option(names = {"-w", "--write"}, description = "Write (default: read).")
    private boolean write;

    @Option(names = {"-d", "--depth"}, paramLabel = "N", description = "Requests in flight (default 64, at most 1024).")
    private int depth = Workload.DEFAULT_DEPTH;

    @Option(names = "--flush-interval", paramLabel = "N",
            description = "Flush whenever the requests left are a multiple of N (writes only, N >= depth; default never).")
    private long flushInterval;

    @Option(names = "--no-drain", description = "Flush without waiting for the requests in flight.")
    private boolean noDrain;

    @Option(names = "--pattern", paramLabel = "BYTE", description = "The byte written (default 0; 0x5a works).")
    private String pattern = "0";

    @Option(names = "--volume-size", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "The volume's size (default 1G).")
    private long volumeSize = DEFAULT_VOLUME_SIZE;

    @Option(names = "--data", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Bytes written from the volume's start before the run (default: the volume size).")
    private Long data;

    @Option(names = "--warmup", paramLabel = "N", description = {"Requests run first, untimed, on a second volume "
            + "prepared the same way (for the JIT; default 0).", "In the snapshot scenario: untimed snapshots first."})
    private long warmup;

    @Option(names = "--repeat", paramLabel = "N", description = "Snapshots timed in the snapshot scenario (default 5).")
    private int repeat = 5;

    @Option(names = "--keep", description = "Keep the pool afterwards.")
    private boolean keep;

    @Override
    public Integer call() {
        BenchScenario chosen;
        Workload workload;
        long written = data == null ? volumeSize : data;
        try {
            chosen = BenchScenario.named(scenario);
            workload = new Workload(count, size, step == 0 ? size : step, offset, write, depth, flushInterval, !noDrain,
                    pattern());
            if (volumeSize < 1 || volumeSize > VolumePool.MAX_VOLUME_BYTES) {
                throw new IllegalArgumentException("volume size " + volumeSize + " is not from 1 to "
                        + VolumePool.MAX_VOLUME_BYTES);
            }
            if (written < 0 || written > volumeSize) {
                throw new IllegalArgumentException("--data " + written + " is not from 0 to the volume size "
                        + volumeSize);
            }
            if (warmup < 0 || warmup > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("--warmup " + warmup + " is not from 0 to " + Integer.MAX_VALUE);
            }
            if (repeat < 1) {
                throw new IllegalArgumentException("--repeat " + repeat + " is below 1");
            }
            workload.checkFits(volumeSize);
        } catch (IllegalArgumentException e) {
            throw Coems.usage(spec, e.getMessage());
        }
        Path directory = coems.poolDirectory(spec);
        boolean made = claim(directory);
        try {
            Map<String, Object> result = run(directory, chosen, workload, written);
            report(chosen, workload, written, result);
        } finally {
            if (!keep) {
                remove(directory, made);
            }
        }
        return 0;
    }

    private int pattern() {
        try {
            return Math.toIntExact(Long.decode(pattern));
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("pattern '" + pattern + "' is not a byte value (0 to 255, or 0x00 to 0xff)");
        }
    }

    private Map<String, Object> run(Path directory, BenchScenario chosen, Workload workload, long written) {
        Map<String, Object> result = new LinkedHashMap<>();
        try (VolumePool pool = VolumePool.create(directory, PoolCommand.options(null, null))) {
            if (chosen == BenchScenario.SNAPSHOT) {
                Volume volume = chosen.prepare(pool, "bench", volumeSize, written);
                for (long i = 0; i < warmup; i++) {
                    volume.snapshot("warmup-" + i).delete();
                }
                List<Double> samples = new ArrayList<>();
                for (int i = 0; i < repeat; i++) {
                    long start = System.nanoTime();
                    Snapshot s = volume.snapshot("timed-" + i);
                    samples.add((System.nanoTime() - start) / 1e9);
                    s.delete();
                }
                List<Double> sorted = samples.stream().sorted().toList();
                result.put("seconds", median(sorted));
                result.put("min", sorted.getFirst());
                result.put("max", sorted.getLast());
                result.put("samples", samples);
                return result;
            }
            if (warmup > 0) {
                Workload first = new Workload(warmup, workload.size(), workload.step(), workload.offset(),
                        workload.write(), workload.depth(), workload.flushInterval(), workload.drain(),
                        workload.pattern());
                long span = Math.min(written, workload.offset() + warmup * workload.step() + workload.size());
                new WorkloadRunner(first).run(chosen.prepare(pool, "warmup", volumeSize, span));
            }
            Volume volume = chosen.prepare(pool, "bench", volumeSize, written);
            double seconds = new WorkloadRunner(workload).run(volume) / 1e9;
            result.put("seconds", seconds);
            result.put("bytes", workload.bytes());
            result.put("mbPerSecond", workload.bytes() / seconds / 1e6);
            result.put("requestsPerSecond", workload.count() / seconds);
            return result;
        }
    }

    private void report(BenchScenario chosen, Workload workload, long written, Map<String, Object> result) {
        if (coems.output().json()) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("scenario", chosen.cliName());
            json.put("volumeSize", volumeSize);
            json.put("data", written);
            json.put("warmup", warmup);
            if (chosen == BenchScenario.SNAPSHOT) {
                json.put("repeat", (long) repeat);
            } else {
                json.put("operation", workload.write() ? "write" : "read");
                json.put("count", workload.count());
                json.put("size", workload.size());
                json.put("step", workload.step());
                json.put("offset", workload.offset());
                json.put("depth", (long) workload.depth());
                json.put("flushInterval", workload.flushInterval());
                json.put("drain", workload.drain());
                json.put("pattern", (long) workload.pattern());
            }
            json.putAll(result);
            coems.output().writeJson(json);
            return;
        }
        coems.output().line("coems bench " + chosen.cliName() + ": a volume of " + Sizes.format(volumeSize) + " with "
                + Sizes.format(written) + " written, " + chosen.description());
        if (chosen == BenchScenario.SNAPSHOT) {
            coems.output().line(String.format("Took %d snapshots: median %.3f ms (%.3f to %.3f ms)", repeat,
                    (Double) result.get("seconds") * 1e3, (Double) result.get("min") * 1e3,
                    (Double) result.get("max") * 1e3));
            return;
        }
        coems.output().line("Sending " + workload.count() + " " + (workload.write() ? "write" : "read") + " requests, "
                + workload.size() + " bytes each, " + workload.depth() + " in parallel (starting at offset "
                + workload.offset() + ", step size " + workload.step() + ")");
        coems.output().line(String.format("Run completed in %.3f seconds: %.1f MB/s, %.0f requests/s",
                (Double) result.get("seconds"), (Double) result.get("mbPerSecond"),
                (Double) result.get("requestsPerSecond")));
    }

    private static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /**
     * Checks that {@code directory} is missing or empty, creating it if missing; returns whether
     * it was created.
     *
     * @throws Coems.Failure if it holds anything, or cannot be created
     */
    private static boolean claim(Path directory) {
        try {
            if (Files.isDirectory(directory)) {
                try (Stream<Path> entries = Files.list(directory)) {
                    if (entries.findAny().isPresent()) {
                        throw new Coems.Failure("directory " + directory + " is not empty: bench makes its own pool"
                                + " in a new or empty directory");
                    }
                }
                return false;
            }
            Files.createDirectories(directory);
            return true;
        } catch (IOException e) {
            throw new Coems.Failure("cannot use directory " + directory + " for the bench's pool: " + e);
        }
    }

    /** Deletes what the bench put in {@code directory} (it was empty), and the directory itself if it made it. */
    private static void remove(Path directory, boolean made) {
        try (Stream<Path> tree = Files.walk(directory)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                if (made || !p.equals(directory)) {
                    Files.delete(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the bench's pool in " + directory, e);
        }
    }
}

package io.coems.cli;

import io.coems.matrix.Blocks;
import io.coems.matrix.LbsStatus;
import io.coems.matrix.MatrixException;
import io.coems.matrix.ProgressListener;
import io.coems.matrix.Rebuild;
import io.coems.matrix.ScrubReport;
import io.coems.vvm.PoolOptions;
import io.coems.vvm.PoolSpace;
import io.coems.vvm.Volume;
import io.coems.vvm.VolumePool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code coems pool}: create a directory pool, show it and its devices, check, scrub, repair and grow it, replace a device. */
@Command(name = "pool", description = "Create, show, check, scrub, repair and grow the pool; replace a failed device.")
final class PoolCommand {
    private static final java.util.Set<String> SIZES = java.util.Set.of("capacity", "used", "free");

    /** Device files a pool grows to by default, when that is less than the library's default maximum. */
    private static final long MAX_FILES = 4096;

    @ParentCommand
    private Coems coems;

    @Spec
    private CommandSpec spec;

    @Command(name = "create", description = "Create a pool in the --pool directory (created if missing).")
    int create(
            @Option(names = "--file-size", paramLabel = "SIZE", converter = SizeConverter.class,
                    description = "Size of each device file, sparse unless --preallocate (default 16G); the pool grows "
                            + "a file at a time.")
            Long fileSize,
            @Option(names = "--max-size", paramLabel = "SIZE", converter = SizeConverter.class,
                    description = "The most the pool grows to, in device files (default: 4096 files, at most 1P).")
            Long maxSize,
            @Option(names = "--preallocate", description = {"Make the device file thick: allocate all its blocks on "
                    + "the file system now (Linux fallocate), which takes the whole file size of disk space at once "
                    + "and spares first writes into the pool the file system's allocation.",
                    "The pool stores that it is preallocated: the files it grows by later are preallocated too, "
                            + "whoever opens it (sparse, with a warning, in a JVM that cannot preallocate)."})
            boolean preallocate) {
        PoolOptions options = options(fileSize, maxSize).withPreallocate(preallocate);
        try (VolumePool pool = VolumePool.create(coems.poolDirectory(spec), options)) {
            Map<String, Object> info = info(pool);
            if (coems.output().json()) {
                coems.output().writeJson(info);
            } else {
                coems.output().line("created pool " + info.get("directory") + ": "
                        + Sizes.format(pool.space().capacity()) + " now, files of " + Sizes.format(options.fileBytes())
                        + (preallocate ? " (preallocated)" : "") + " up to " + Sizes.format(options.maxBytes()));
            }
        }
        return 0;
    }

    /**
     * The options of a new directory pool: device files of {@code fileSize} (null: the default),
     * growing up to {@code maxSize} (null: 4096 files, at most the library's default maximum).
     */
    static PoolOptions options(Long fileSize, Long maxSize) {
        PoolOptions options = PoolOptions.defaults();
        if (fileSize != null) {
            options = options.withFileBytes(fileSize);
        }
        if (maxSize != null) {
            options = options.withMaxBytes(maxSize);
        } else if (options.fileBytes() <= options.maxBytes() / MAX_FILES) {
            // The group table is reserved for the largest size; 1 PiB of small files would not fit.
            options = options.withMaxBytes(options.fileBytes() * MAX_FILES);
        }
        return options;
    }

    @Command(name = "info", description = "Show the pool's space, how many volumes, snapshots and clients it holds, "
            + "and its spaces and devices with their health.")
    int info() {
        return coems.withPool(spec, pool -> {
            Map<String, Object> info = info(pool);
            if (coems.output().json()) {
                coems.output().writeJson(info);
            } else {
                Table t = new Table("PROPERTY", "VALUE");
                info.forEach((k, v) -> {
                    if (!k.equals("spaces")) {
                        t.row(k, SIZES.contains(k) ? Sizes.format((Long) v) + " (" + v + " bytes)" : v);
                    }
                });
                coems.output().table(t);
                coems.output().line("");
                coems.output().table(devices(pool.spaces()));
            }
            return 0;
        });
    }

    @Command(name = "check", description = "Verify the pool's metadata; exit code 1 if there are problems.")
    int check() {
        return coems.withPool(spec, pool -> {
            List<String> problems = pool.check();
            if (coems.output().json()) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("ok", problems.isEmpty());
                result.put("problems", problems);
                coems.output().writeJson(result);
            } else if (problems.isEmpty()) {
                coems.output().line("pool " + coems.poolDirectory(spec) + " is consistent");
            } else {
                problems.forEach(coems.output()::line);
            }
            if (!problems.isEmpty()) {
                coems.output().error("pool check found " + problems.size() + " problem"
                        + (problems.size() == 1 ? "" : "s"), null);
                return Coems.FAILED;
            }
            return 0;
        });
    }

    private Map<String, Object> info(VolumePool pool) {
        PoolSpace space = pool.space();
        List<Volume> volumes = pool.volumes();
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("directory", coems.poolDirectory(spec).toAbsolutePath().normalize().toString());
        info.put("capacity", space.capacity());
        info.put("used", space.used());
        info.put("free", space.free());
        info.put("volumes", (long) volumes.size());
        info.put("snapshots", volumes.stream().mapToLong(v -> v.history().size()).sum());
        info.put("clients", (long) pool.clients().clients().size());
        info.put("health", health(pool.spaces()));
        info.put("preallocated", pool.preallocated());
        info.put("spaces", pool.spaces().stream().map(PoolCommand::space).toList());
        return info;
    }

    @Command(name = "scrub", description = {"Compare the mirrors or parity of every redundant space; with --repair, "
            + "rewrite what disagrees.", "Exit code 1 if mismatches are left unrepaired. A directory pool "
            + "(NORMAL spaces) has nothing to compare."})
    int scrub(@Option(names = "--repair", description = "Rewrite the rows that disagree (mirrors from the first copy, "
            + "parity from the data).") boolean repair) {
        return coems.withPool(spec, pool -> {
            List<LbsStatus> redundant = pool.spaces().stream().filter(s -> s.mode().redundant()).toList();
            ProgressBar bar = coems.output().progressBar(repair ? "scrub --repair" : "scrub");
            ScrubReport report;
            try {
                report = pool.scrub(repair, bar == null ? ProgressListener.NONE : new SpacesInBytes(redundant, bar));
            } finally {
                if (bar != null) {
                    bar.finish();
                }
            }
            long left = report.mismatches() - report.repaired();
            if (coems.output().json()) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("ok", left == 0);
                result.put("redundantSpaces", (long) redundant.size());
                result.put("rowsChecked", report.rowsChecked());
                result.put("mismatches", report.mismatches());
                result.put("repaired", report.repaired());
                result.put("unverifiable", report.unverifiable());
                result.put("details", report.details());
                coems.output().writeJson(result);
            } else {
                report.details().forEach(coems.output()::line);
                coems.output().line(redundant.isEmpty()
                        ? "pool " + coems.poolDirectory(spec) + " has no redundant space: nothing to compare"
                        : "scrubbed " + report.rowsChecked() + " rows of " + redundant.size() + " redundant space"
                                + (redundant.size() == 1 ? "" : "s") + ": " + report.mismatches() + " mismatched, "
                                + report.repaired() + " repaired, " + report.unverifiable() + " unverifiable");
            }
            if (left > 0) {
                coems.output().error("scrub found " + left + " unrepaired mismatch" + (left == 1 ? "" : "es")
                        + " (run 'coems pool scrub --repair')", null);
                return Coems.FAILED;
            }
            return 0;
        });
    }

    @Command(name = "repair", description = {"Repair the pool's metadata (reference counts, leaked blocks, "
            + "group counts) from the volumes' block maps.", "An offline tool: run it while nothing else uses the pool."})
    int repair() {
        return coems.withPool(spec, pool -> {
            List<String> fixed = pool.repair();
            if (coems.output().json()) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("fixed", fixed);
                coems.output().writeJson(result);
            } else if (fixed.isEmpty()) {
                coems.output().line("pool " + coems.poolDirectory(spec) + " needed no repair");
            } else {
                fixed.forEach(f -> coems.output().line("fixed: " + f));
                coems.output().line("repaired " + fixed.size() + " problem" + (fixed.size() == 1 ? "" : "s"));
            }
            return 0;
        });
    }

    @Command(name = "grow", description = "Add a device file to the pool now, instead of when it runs short.")
    int grow(@Option(names = "--preallocate", description = "Allocate all the blocks of the file added on the file "
            + "system now (Linux fallocate): its whole size of disk space at once. Only matters for a pool created "
            + "without --preallocate: a preallocated pool grows by preallocated files anyway.") boolean preallocate) {
        return coems.withPool(spec, PoolOptions.defaults().withPreallocate(preallocate), pool -> {
            long before = pool.space().capacity();
            long after = pool.grow();
            if (coems.output().json()) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("previousCapacity", before);
                result.put("capacity", after);
                result.put("files", (long) pool.spaces().size());
                coems.output().writeJson(result);
            } else {
                coems.output().line("grew pool " + coems.poolDirectory(spec) + " from " + Sizes.format(before) + " to "
                        + Sizes.format(after) + " (" + pool.spaces().size() + " files)");
            }
            return 0;
        });
    }

    @Command(name = "replace-device", description = {"Put NEWFILE in the place of a failed member device and "
            + "rebuild it; returns when the rebuild is done.", "A missing NEWFILE is created as large as the other "
            + "members' files. Only redundant spaces (RAID-1/5/6/10) can be rebuilt."})
    int replaceDevice(
            @Parameters(index = "0", paramLabel = "SPACE", description = "The space's index (see 'pool info').") int space,
            @Parameters(index = "1", paramLabel = "MEMBER", description = "The failed member's index.") int member,
            @Parameters(index = "2", paramLabel = "NEWFILE", description = "The replacement device file.") Path file) {
        return coems.withPool(spec, pool -> {
            List<LbsStatus> spaces = pool.spaces();
            ProgressBar bar = coems.output().progressBar("rebuild");
            long start = System.nanoTime();
            try {
                ProgressListener listener = bar == null || space < 0 || space >= spaces.size() ? ProgressListener.NONE
                        : new SpacesInBytes(List.of(spaces.get(space)), bar);
                Rebuild rebuild = pool.replaceDevice(space, member, file, listener);
                rebuild.await();
            } catch (MatrixException e) {
                throw new Coems.Failure("the rebuild of member " + member + " of space " + space + " onto " + file
                        + " failed: " + e.getMessage());
            } finally {
                if (bar != null) {
                    bar.finish();
                }
            }
            LbsStatus now = pool.spaces().get(space);
            if (coems.output().json()) {
                Map<String, Object> result = space(now);
                result.put("replacedMember", (long) member);
                result.put("seconds", (System.nanoTime() - start) / 1e9);
                coems.output().writeJson(result);
            } else {
                coems.output().line("replaced member " + member + " of space " + space + " by " + file + ": rebuilt "
                        + Sizes.format(Blocks.bytes(now.blocks())) + " in "
                        + String.format("%.1f s", (System.nanoTime() - start) / 1e9) + ", space " + space + " is "
                        + now.health());
            }
            return 0;
        });
    }

    /** The worst health of the spaces. */
    private static String health(List<LbsStatus> spaces) {
        return spaces.stream().map(LbsStatus::health).max(java.util.Comparator.naturalOrder())
                .map(Enum::name).orElse("OPTIMAL");
    }

    private static Map<String, Object> space(LbsStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", (long) s.index());
        m.put("mode", s.mode().name());
        m.put("health", s.health().name());
        m.put("capacity", Blocks.bytes(s.blocks()));
        List<Map<String, Object>> members = new ArrayList<>();
        for (LbsStatus.Member d : s.members()) {
            Map<String, Object> dm = new LinkedHashMap<>();
            dm.put("member", (long) d.index());
            dm.put("device", d.device());
            dm.put("state", d.state().name());
            dm.put("rebuilt", d.rebuildProgress());
            members.add(dm);
        }
        m.put("devices", members);
        return m;
    }

    /** One row per member device of every space. */
    static Table devices(List<LbsStatus> spaces) {
        Table t = new Table("SPACE>", "MODE", "HEALTH", "CAPACITY>", "MEMBER>", "DEVICE", "STATE", "REBUILT>");
        for (LbsStatus s : spaces) {
            for (LbsStatus.Member d : s.members()) {
                t.row(s.index(), s.mode(), s.health(), Sizes.format(Blocks.bytes(s.blocks())), d.index(), d.device(),
                        d.state(), (int) Math.floor(d.rebuildProgress() * 100) + "%");
            }
        }
        return t;
    }

    /**
     * The stripes each space reports (from 0 for each, in address order) as bytes of all of
     * them, for a {@link ProgressBar}: a space counts as its capacity.
     */
    static final class SpacesInBytes implements ProgressListener {
        private final List<LbsStatus> spaces;
        private final ProgressListener bar;
        private final long totalBytes;
        private int current;
        private long before;
        private long lastDone;
        private long lastTotal = -1;

        SpacesInBytes(List<LbsStatus> spaces, ProgressListener bar) {
            this.spaces = spaces;
            this.bar = bar;
            this.totalBytes = spaces.stream().mapToLong(s -> Blocks.bytes(s.blocks())).sum();
        }

        @Override
        public void progress(long done, long total) {
            if (lastTotal >= 0 && (total != lastTotal || done < lastDone) && current + 1 < spaces.size()) {
                before += Blocks.bytes(spaces.get(current).blocks());
                current++;
            }
            lastDone = done;
            lastTotal = total;
            long bytes = Blocks.bytes(spaces.get(current).blocks());
            bar.progress(before + (total <= 0 ? bytes : (long) ((double) done / total * bytes)), totalBytes);
        }
    }
}

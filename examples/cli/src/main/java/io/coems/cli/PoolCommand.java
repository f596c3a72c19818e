package io.coems.cli;

import io.coems.vvm.PoolOptions;
import io.coems.vvm.PoolSpace;
import io.coems.vvm.Volume;
import io.coems.vvm.VolumePool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code coems pool}: create a directory pool, show it, check it. */
@Command(name = "pool", description = "Create, show and check the pool.")
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
                    description = "Size of each sparse device file (default 16G); the pool grows a file at a time.")
            Long fileSize,
            @Option(names = "--max-size", paramLabel = "SIZE", converter = SizeConverter.class,
                    description = "The most the pool grows to, in device files (default: 4096 files, at most 1P).")
            Long maxSize) {
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
        try (VolumePool pool = VolumePool.create(coems.poolDirectory(spec), options)) {
            Map<String, Object> info = info(pool);
            if (coems.output().json()) {
                coems.output().writeJson(info);
            } else {
                coems.output().line("created pool " + info.get("directory") + ": "
                        + Sizes.format(pool.space().capacity()) + " now, files of " + Sizes.format(options.fileBytes())
                        + " up to " + Sizes.format(options.maxBytes()));
            }
        }
        return 0;
    }

    @Command(name = "info", description = "Show the pool's space and how many volumes, snapshots and clients it holds.")
    int info() {
        return coems.withPool(spec, pool -> {
            Map<String, Object> info = info(pool);
            if (coems.output().json()) {
                coems.output().writeJson(info);
            } else {
                Table t = new Table("PROPERTY", "VALUE");
                info.forEach((k, v) -> t.row(k, SIZES.contains(k) ? Sizes.format((Long) v) + " (" + v + " bytes)" : v));
                coems.output().table(t);
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
        return info;
    }
}

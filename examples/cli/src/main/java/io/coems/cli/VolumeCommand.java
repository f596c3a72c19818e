package io.coems.cli;

import io.coems.vvm.BlockImage;
import io.coems.vvm.Client;
import io.coems.vvm.Snapshot;
import io.coems.vvm.Volume;
import io.coems.vvm.VolumePool;
import io.coems.vvm.VolumeSpace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code coems volume}: thin volumes and raw images in and out of them. */
@Command(name = "volume", description = "Create, list, show, resize, rename, delete, import and export volumes.")
final class VolumeCommand {
    @ParentCommand
    private Coems coems;

    @Spec
    private CommandSpec spec;

    @Command(name = "create", description = "Create a thin volume: it reads as zeros and takes no space until written.")
    int create(@Parameters(paramLabel = "NAME") String name,
            @Parameters(paramLabel = "SIZE", converter = SizeConverter.class, description = "e.g. 10G") long size) {
        return coems.withPool(spec, pool -> {
            Volume v = pool.createVolume(name, size);
            done(pool, v, "created volume " + v.name() + " (" + Sizes.format(v.size()) + ", id " + Coems.id(v.id()) + ")");
            return 0;
        });
    }

    @Command(name = "list", description = "List the volumes with their size and space.")
    int list() {
        return coems.withPool(spec, pool -> {
            List<Volume> volumes = pool.volumes();
            if (coems.output().json()) {
                coems.output().writeJson(volumes.stream().map(v -> view(pool, v)).toList());
            } else {
                Table t = new Table("NAME", "ID", "SIZE>", "ALLOCATED>", "EXCLUSIVE>", "SNAPSHOTS>", "CLIENT", "ORIGIN",
                        "MODE");
                for (Volume v : volumes) {
                    VolumeSpace s = v.space();
                    t.row(v.name(), Coems.id(v.id()), Sizes.format(v.size()), Sizes.format(s.allocated()),
                            Sizes.format(s.exclusive()), v.history().size(), clientName(pool, v).orElse(null),
                            v.origin().map(o -> ref(pool, o)).orElse(null), v.isReadOnly() ? "ro" : "rw");
                }
                if (t.size() == 0) {
                    coems.output().line("no volumes");
                } else {
                    coems.output().table(t);
                }
            }
            return 0;
        });
    }

    @Command(name = "info", description = "Show one volume.")
    int info(@Parameters(paramLabel = "NAME") String name) {
        return coems.withPool(spec, pool -> {
            Map<String, Object> view = view(pool, pool.volume(name));
            if (coems.output().json()) {
                coems.output().writeJson(view);
            } else {
                Table t = new Table("PROPERTY", "VALUE");
                view.forEach((k, v) -> t.row(k, v instanceof Long n && SIZES.contains(k)
                        ? Sizes.format(n) + " (" + n + " bytes)" : k.equals("id") ? Coems.id((Long) v) : v));
                coems.output().table(t);
            }
            return 0;
        });
    }

    @Command(name = "resize", description = "Change a volume's size; shrinking drops data and needs --shrink.")
    int resize(@Parameters(paramLabel = "NAME") String name,
            @Parameters(paramLabel = "SIZE", converter = SizeConverter.class) long size,
            @Option(names = "--shrink", description = "Allow a smaller size (the data beyond it is lost).")
            boolean shrink) {
        return coems.withPool(spec, pool -> {
            Volume v = pool.volume(name);
            long old = v.size();
            v.resize(size, shrink);
            done(pool, v, "resized volume " + v.name() + " from " + Sizes.format(old) + " to " + Sizes.format(v.size()));
            return 0;
        });
    }

    @Command(name = "rename", description = "Rename a volume.")
    int rename(@Parameters(paramLabel = "NAME") String name, @Parameters(paramLabel = "NEW-NAME") String newName) {
        return coems.withPool(spec, pool -> {
            Volume v = pool.volume(name);
            v.rename(newName);
            done(pool, v, "renamed volume " + name + " to " + v.name());
            return 0;
        });
    }

    @Command(name = "delete", description = "Delete a volume and its snapshots (clones made from them stay).")
    int delete(@Parameters(paramLabel = "NAME") String name) {
        return coems.withPool(spec, pool -> {
            Volume v = pool.volume(name);
            long id = v.id();
            v.delete();
            if (coems.output().json()) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("deleted", name);
                result.put("id", id);
                coems.output().writeJson(result);
            } else {
                coems.output().line("deleted volume " + name);
            }
            return 0;
        });
    }

    @Command(name = "import", description = "Copy a raw image file into a volume from byte 0 (zero blocks are not written).")
    int importFile(@Parameters(paramLabel = "NAME") String name, @Parameters(paramLabel = "FILE") Path file) {
        return coems.withPool(spec, pool -> {
            Volume v = pool.volume(name);
            ProgressBar bar = coems.output().progressBar("import");
            long start = System.nanoTime();
            try {
                v.importFrom(file, Output.listener(bar));
                pool.flush();
            } finally {
                if (bar != null) {
                    bar.finish();
                }
            }
            transferred(pool, v, "imported", file, sizeOf(file), start);
            return 0;
        });
    }

    @Command(name = "export", description = "Write a volume or a snapshot (VOLUME@SNAPSHOT) to a new raw, sparse file.")
    int exportFile(@Parameters(paramLabel = "NAME", description = "VOLUME or VOLUME@SNAPSHOT") String name,
            @Parameters(paramLabel = "FILE") Path file) {
        return coems.withPool(spec, pool -> {
            BlockImage image = name.contains("@") ? Coems.snapshotRef(spec, pool, name) : pool.volume(name);
            ProgressBar bar = coems.output().progressBar("export");
            long start = System.nanoTime();
            try {
                image.exportTo(file, Output.listener(bar));
            } finally {
                if (bar != null) {
                    bar.finish();
                }
            }
            transferred(pool, image, "exported", file, image.size(), start);
            return 0;
        });
    }

    private static final java.util.Set<String> SIZES = java.util.Set.of("size", "allocated", "exclusive", "shared",
            "reclaimable");

    private static long sizeOf(Path file) {
        try {
            return java.nio.file.Files.size(file);
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    private void transferred(VolumePool pool, BlockImage image, String verb, Path file, long bytes, long startNanos) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        if (coems.output().json()) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put(verb.equals("imported") ? "volume" : "image",
                    image instanceof Snapshot s ? ref(pool, s) : image.name());
            result.put("file", file.toAbsolutePath().toString());
            result.put("bytes", bytes);
            result.put("seconds", Math.round(seconds * 1000) / 1000.0);
            coems.output().writeJson(result);
        } else {
            String what = image instanceof Snapshot s ? "snapshot " + ref(pool, s) : "volume " + image.name();
            coems.output().line(verb + " " + what + (verb.equals("imported") ? " from " : " to ") + file + " ("
                    + Sizes.format(bytes) + " in " + String.format("%.2f s", seconds) + ")");
        }
    }

    /** Tells the result of a change to {@code v}: its JSON view, or {@code message}. */
    private void done(VolumePool pool, Volume v, String message) {
        if (coems.output().json()) {
            coems.output().writeJson(view(pool, v));
        } else {
            coems.output().line(message);
        }
    }

    /** A volume as JSON (and the properties of {@code volume info}). */
    static Map<String, Object> view(VolumePool pool, Volume v) {
        VolumeSpace s = v.space();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", v.name());
        m.put("id", v.id());
        m.put("size", v.size());
        m.put("allocated", s.allocated());
        m.put("exclusive", s.exclusive());
        m.put("shared", s.shared());
        m.put("reclaimable", s.reclaimable());
        m.put("snapshots", (long) v.history().size());
        m.put("readOnly", v.isReadOnly());
        m.put("created", v.created().truncatedTo(ChronoUnit.SECONDS).toString());
        m.put("client", clientName(pool, v).orElse(null));
        m.put("origin", v.origin().map(o -> ref(pool, o)).orElse(null));
        return m;
    }

    /** The name of the client {@code v} is assigned to, if any. */
    static Optional<String> clientName(VolumePool pool, Volume v) {
        return pool.clients().clientOf(v).map(Client::name);
    }

    /** {@code VOLUME@SNAPSHOT} for a snapshot (the volume's id if it was deleted). */
    static String ref(VolumePool pool, Snapshot s) {
        String volume;
        try {
            volume = pool.volume(s.volumeId()).name();
        } catch (io.coems.vvm.PoolNotFoundException e) {
            volume = "#" + Coems.id(s.volumeId());
        }
        return volume + "@" + s.name();
    }
}

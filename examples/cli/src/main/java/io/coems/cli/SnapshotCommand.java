package io.coems.cli;

import io.coems.vvm.BlockImage;
import io.coems.vvm.Extent;
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

import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code coems snapshot}: a volume's snapshots, revert, and the difference between two images. */
@Command(name = "snapshot", description = "Create, list, revert to, delete and compare snapshots.")
final class SnapshotCommand {
    @ParentCommand
    private Coems coems;

    @Spec
    private CommandSpec spec;

    @Command(name = "create", description = "Snapshot a volume (O(1), whatever its size).")
    int create(@Parameters(paramLabel = "VOLUME") String volume, @Parameters(paramLabel = "NAME") String name) {
        return coems.withPool(spec, pool -> {
            Snapshot s = pool.volume(volume).snapshot(name);
            if (coems.output().json()) {
                coems.output().writeJson(view(pool, s));
            } else {
                coems.output().line("created snapshot " + VolumeCommand.ref(pool, s) + " (id " + Coems.id(s.id()) + ")");
            }
            return 0;
        });
    }

    @Command(name = "list", description = "List a volume's snapshots, oldest first; --tree draws their lineage with clones.")
    int list(@Parameters(paramLabel = "VOLUME") String volume,
            @Option(names = "--tree", description = "Draw the lineage of the snapshots and the clones made from them.")
            boolean tree) {
        return coems.withPool(spec, pool -> {
            Volume v = pool.volume(volume);
            if (tree) {
                Lineage lineage = Lineage.of(pool, v);
                if (coems.output().json()) {
                    coems.output().writeJson(lineage.json());
                } else {
                    coems.output().out().print(lineage.draw());
                    coems.output().out().flush();
                }
                return 0;
            }
            List<Snapshot> history = v.history();
            if (coems.output().json()) {
                coems.output().writeJson(history.stream().map(s -> view(pool, s)).toList());
            } else if (history.isEmpty()) {
                coems.output().line("volume " + v.name() + " has no snapshots");
            } else {
                Table t = new Table("NAME", "ID", "SIZE>", "RECLAIMABLE>", "CREATED", "PARENT");
                for (Snapshot s : history) {
                    t.row(s.name(), Coems.id(s.id()), Sizes.format(s.size()), Sizes.format(s.space().reclaimable()),
                            s.created().truncatedTo(ChronoUnit.SECONDS), s.parent().map(p -> VolumeCommand.ref(pool, p))
                                    .orElse(null));
                }
                coems.output().table(t);
            }
            return 0;
        });
    }

    @Command(name = "revert", description = "Make a volume's content exactly a snapshot's (later snapshots stay).")
    int revert(@Parameters(paramLabel = "VOLUME") String volume, @Parameters(paramLabel = "SNAPSHOT") String snapshot) {
        return coems.withPool(spec, pool -> {
            Volume v = pool.volume(volume);
            v.revertTo(Coems.snapshot(v, snapshot));
            if (coems.output().json()) {
                coems.output().writeJson(VolumeCommand.view(pool, v));
            } else {
                coems.output().line("reverted volume " + v.name() + " to snapshot " + snapshot);
            }
            return 0;
        });
    }

    @Command(name = "delete", description = "Delete a snapshot, freeing the blocks only it used.")
    int delete(@Parameters(paramLabel = "VOLUME") String volume, @Parameters(paramLabel = "SNAPSHOT") String snapshot) {
        return coems.withPool(spec, pool -> {
            Snapshot s = Coems.snapshot(pool.volume(volume), snapshot);
            long freed = s.space().reclaimable();
            String ref = VolumeCommand.ref(pool, s);
            s.delete();
            if (coems.output().json()) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("deleted", ref);
                result.put("id", s.id());
                result.put("freed", freed);
                coems.output().writeJson(result);
            } else {
                coems.output().line("deleted snapshot " + ref + " (" + Sizes.format(freed) + " freed)");
            }
            return 0;
        });
    }

    @Command(name = "diff", description = "The byte ranges that differ between two snapshots of a volume, or a "
            + "snapshot and the live volume (TO omitted), from metadata only.")
    int diff(@Parameters(paramLabel = "VOLUME") String volume,
            @Parameters(paramLabel = "FROM", description = "A snapshot of VOLUME, or OTHER@SNAPSHOT.") String from,
            @Parameters(paramLabel = "TO", arity = "0..1",
                    description = "A snapshot of VOLUME, or OTHER@SNAPSHOT; the live volume if omitted.") String to) {
        return coems.withPool(spec, pool -> {
            Volume v = pool.volume(volume);
            BlockImage a = image(pool, v, from);
            BlockImage b = to == null ? v : image(pool, v, to);
            List<Extent> ranges = pool.diff(a, b);
            long bytes = ranges.stream().mapToLong(Extent::length).sum();
            String fromRef = a instanceof Snapshot s ? VolumeCommand.ref(pool, s) : a.name();
            String toRef = b instanceof Snapshot s ? VolumeCommand.ref(pool, s) : b.name();
            if (coems.output().json()) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("from", fromRef);
                result.put("to", toRef);
                result.put("bytes", bytes);
                result.put("ranges", ranges.stream().map(e -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("offset", e.offset());
                    m.put("length", e.length());
                    return m;
                }).toList());
                coems.output().writeJson(result);
            } else if (ranges.isEmpty()) {
                coems.output().line(fromRef + " and " + toRef + " do not differ");
            } else {
                Table t = new Table("OFFSET>", "LENGTH>", "END>", "SIZE>");
                ranges.forEach(e -> t.row(e.offset(), e.length(), e.end(), Sizes.format(e.length())));
                coems.output().table(t);
                coems.output().line(ranges.size() + " range" + (ranges.size() == 1 ? "" : "s") + ", "
                        + Sizes.format(bytes) + " differ between " + fromRef + " and " + toRef);
            }
            return 0;
        });
    }

    private BlockImage image(VolumePool pool, Volume volume, String name) {
        return name.contains("@") ? Coems.snapshotRef(spec, pool, name) : Coems.snapshot(volume, name);
    }

    /** A snapshot as JSON. */
    static Map<String, Object> view(VolumePool pool, Snapshot s) {
        VolumeSpace space = s.space();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("id", s.id());
        m.put("ref", VolumeCommand.ref(pool, s));
        m.put("size", s.size());
        m.put("allocated", space.allocated());
        m.put("reclaimable", space.reclaimable());
        m.put("created", s.created().truncatedTo(ChronoUnit.SECONDS).toString());
        m.put("parent", s.parent().map(p -> VolumeCommand.ref(pool, p)).orElse(null));
        return m;
    }
}

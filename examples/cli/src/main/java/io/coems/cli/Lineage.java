package io.coems.cli;

import io.coems.vvm.Snapshot;
import io.coems.vvm.Volume;
import io.coems.vvm.VolumePool;

import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The lineage of a volume's snapshots as a tree: each snapshot under the one its state came
 * from, the snapshots of clones under the image they were cloned from, and every live volume
 * (this one and its clones) under the snapshot its state came from. Drawn in ASCII for people
 * or nested as JSON.
 */
final class Lineage {
    /** A snapshot or a live volume in the tree. */
    record Node(String kind, String name, String ref, long id, String detail, List<Node> children) {
    }

    private final String volume;
    private final String origin;
    private final List<Node> roots;

    private Lineage(String volume, String origin, List<Node> roots) {
        this.volume = volume;
        this.origin = origin;
        this.roots = roots;
    }

    /** The lineage of {@code volume}'s snapshots in {@code pool}. */
    static Lineage of(VolumePool pool, Volume volume) {
        Map<Long, List<Snapshot>> snapshotsByParent = new HashMap<>();
        Map<Long, List<Volume>> volumesByOrigin = new HashMap<>();
        for (Volume v : pool.volumes()) {
            for (Snapshot s : v.history()) {
                snapshotsByParent.computeIfAbsent(s.parentId(), k -> new ArrayList<>()).add(s);
            }
            v.origin().ifPresent(o -> volumesByOrigin.computeIfAbsent(o.id(), k -> new ArrayList<>()).add(v));
        }
        List<Snapshot> history = volume.history();
        Set<Long> own = new HashSet<>();
        history.forEach(s -> own.add(s.id()));
        Builder b = new Builder(pool, volume, snapshotsByParent, volumesByOrigin);
        List<Node> roots = new ArrayList<>();
        for (Snapshot s : history) {
            if (!own.contains(s.parentId()) || s.parent().isEmpty()) {
                roots.add(b.snapshot(s));
            }
        }
        if (!b.seen.contains(volume.id())) {
            roots.add(b.live(volume));
        }
        String origin = history.isEmpty() ? volume.origin().map(o -> VolumeCommand.ref(pool, o)).orElse(null)
                : history.getFirst().parent().filter(p -> !own.contains(p.id()))
                        .map(p -> VolumeCommand.ref(pool, p)).orElse(null);
        return new Lineage(volume.name(), origin, roots);
    }

    private static final class Builder {
        private final VolumePool pool;
        private final Volume volume;
        private final Map<Long, List<Snapshot>> snapshotsByParent;
        private final Map<Long, List<Volume>> volumesByOrigin;
        final Set<Long> seen = new HashSet<>();

        Builder(VolumePool pool, Volume volume, Map<Long, List<Snapshot>> snapshotsByParent,
                Map<Long, List<Volume>> volumesByOrigin) {
            this.pool = pool;
            this.volume = volume;
            this.snapshotsByParent = snapshotsByParent;
            this.volumesByOrigin = volumesByOrigin;
        }

        Node snapshot(Snapshot s) {
            seen.add(s.id());
            List<Node> children = new ArrayList<>();
            for (Snapshot c : snapshotsByParent.getOrDefault(s.id(), List.of()).stream()
                    .sorted(Comparator.comparing(Snapshot::created).thenComparing(Snapshot::id)).toList()) {
                if (seen.add(c.id())) {
                    children.add(snapshot(c));
                }
            }
            for (Volume v : volumesByOrigin.getOrDefault(s.id(), List.of())) {
                if (seen.add(v.id())) {
                    children.add(live(v));
                }
            }
            String ref = VolumeCommand.ref(pool, s);
            String name = s.volumeId() == volume.id() ? s.name() : ref;
            return new Node("snapshot", name, ref, s.id(), Sizes.format(s.size()) + ", "
                    + s.created().truncatedTo(ChronoUnit.SECONDS), children);
        }

        Node live(Volume v) {
            seen.add(v.id());
            String detail = v.id() == volume.id() ? "live volume" : "live volume, clone";
            return new Node("volume", v.name(), v.name(), v.id(), detail, List.of());
        }
    }

    /** The tree in ASCII, one node a line: {@code name  (detail)} under {@code |--} and {@code `--}. */
    String draw() {
        StringBuilder out = new StringBuilder();
        if (origin != null) {
            out.append(volume).append(" was cloned from ").append(origin).append(System.lineSeparator());
        }
        for (Node root : roots) {
            draw(out, root, "", "");
        }
        return out.toString();
    }

    private static void draw(StringBuilder out, Node node, String first, String rest) {
        out.append(first).append(node.kind().equals("volume") ? "* " : "").append(node.name())
                .append("  (").append(node.detail()).append(')').append(System.lineSeparator());
        for (int i = 0; i < node.children().size(); i++) {
            boolean last = i == node.children().size() - 1;
            draw(out, node.children().get(i), rest + (last ? "`-- " : "|-- "), rest + (last ? "    " : "|   "));
        }
    }

    /** The tree as JSON: {@code {"volume", "origin", "tree": [{"kind", "name", "ref", "id", "children"}]}}. */
    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("volume", volume);
        m.put("origin", origin);
        m.put("tree", roots.stream().map(Lineage::json).toList());
        return m;
    }

    private static Map<String, Object> json(Node node) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", node.kind());
        m.put("name", node.name());
        m.put("ref", node.ref());
        m.put("id", node.id());
        m.put("children", node.children().stream().map(Lineage::json).toList());
        return m;
    }
}

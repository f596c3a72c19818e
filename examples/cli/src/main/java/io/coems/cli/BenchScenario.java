package io.coems.cli;

import io.coems.vvm.Snapshot;
import io.coems.vvm.Volume;
import io.coems.vvm.VolumePool;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;

/**
 * The state {@code coems bench} prepares before it measures: a volume with data written from
 * its start, made durable with a flush (as qemu-img's preparing run ends with one when it closes
 * the image), and then, depending on the scenario, a snapshot or a clone.
 */
enum BenchScenario {
    /** The volume owns every written block: reads and overwrites. */
    OWNED("the volume owns the written blocks"),
    /** A snapshot shares every written block: writes are first writes that copy on write. */
    AFTER_SNAPSHOT("then a snapshot, so that a write is the first into a shared block"),
    /** The run goes to a clone of a snapshot of the volume: its reads read through, its writes copy. */
    CLONE("then a snapshot and a clone of it, which the run uses"),
    /** No run: snapshots of the volume are timed. */
    SNAPSHOT("then snapshots are timed, each deleted before the next");

    /** The byte the prepared data is made of. */
    static final int DATA_PATTERN = 0xa5;
    /** Bytes per write while preparing. */
    private static final int FILL_CHUNK = 1 << 20;

    private final String description;

    BenchScenario(String description) {
        this.description = description;
    }

    /** The name on the command line: {@code owned}, {@code after-snapshot}, {@code clone}, {@code snapshot}. */
    String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** What the scenario prepares, for people. */
    String description() {
        return description;
    }

    /**
     * The scenario called {@code name} on the command line.
     *
     * @throws IllegalArgumentException if there is none, naming the scenarios there are
     */
    static BenchScenario named(String name) {
        return Arrays.stream(values()).filter(s -> s.cliName().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no scenario '" + name + "' (choose from "
                        + String.join(", ", new Names()) + ")"));
    }

    /**
     * Creates volume {@code name} of {@code size} bytes in {@code pool}, writes {@code data} bytes
     * of {@link #DATA_PATTERN} from its start, flushes, and takes the snapshot or clone of this
     * scenario; returns the volume the run is to use.
     */
    Volume prepare(VolumePool pool, String name, long size, long data) {
        Volume volume = pool.createVolume(this == CLONE ? name + "-origin" : name, size);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment chunk = arena.allocate(FILL_CHUNK).fill((byte) DATA_PATTERN);
            for (long at = 0; at < data; at += FILL_CHUNK) {
                volume.write(at, chunk.asSlice(0, Math.min(FILL_CHUNK, data - at)));
            }
        }
        pool.flush();
        return switch (this) {
            case OWNED, SNAPSHOT -> volume;
            case AFTER_SNAPSHOT -> {
                volume.snapshot("shared");
                yield volume;
            }
            case CLONE -> {
                Snapshot shared = volume.snapshot("shared");
                yield pool.clone(shared, name);
            }
        };
    }

    /** The scenarios' command-line names, for picocli's completion and help. */
    static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(values()).map(BenchScenario::cliName).iterator();
        }
    }
}

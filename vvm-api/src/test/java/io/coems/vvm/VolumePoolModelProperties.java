package io.coems.vvm;

import io.coems.matrix.Blocks;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Random sequences of creates, writes, discards, snapshots, reverts, clones, deletes, resizes,
 * flushes and close+reopen of a directory pool, through the public API only, against
 * {@link PoolModel}: after every step each volume and snapshot has the model's bytes, mapped
 * ranges and exact space (allocated and exclusive), histories match, and {@code check()} is empty.
 */
class VolumePoolModelProperties {
    private static final PoolOptions OPTIONS = PoolOptions.defaults().withFileBytes(256L << 20)
            .withMaxBytes(256L << 20).withCommitMillis(0);
    private static final long MAX_SIZE = 6L << 20;
    private static final int MAX_VOLUMES = 6;
    private static final int MAX_SNAPSHOTS = 10;

    sealed interface Op permits Create, Write, Discard, Snap, Revert, CloneOf, DeleteSnapshot, DeleteVolume, Resize,
            ExportImport, Flush, Reopen {
    }

    /** A volume of {@code blocks} blocks, minus {@code cut} bytes. */
    record Create(int blocks, int cut) implements Op {
    }

    /** {@code api} picks the write overload: byte[], byte[] slice, heap or direct buffer, segment. */
    record Write(int volume, int block, int offset, int length, long seed, int api) implements Op {
    }

    record Discard(int volume, int block, int offset, int length, boolean asWriteZeroes) implements Op {
    }

    record Snap(int volume) implements Op {
    }

    /** Reverts to one of the volume's snapshots, or, if {@code foreign}, tries another volume's and is refused. */
    record Revert(int volume, int snapshot, boolean foreign) implements Op {
    }

    record CloneOf(int snapshot) implements Op {
    }

    record DeleteSnapshot(int snapshot) implements Op {
    }

    record DeleteVolume(int volume) implements Op {
    }

    /** Resizes to {@code blocks} blocks minus {@code cut} bytes; a shrink without {@code allowShrink} is refused. */
    record Resize(int volume, int blocks, int cut, boolean allowShrink) implements Op {
    }

    /** Exports a volume ({@code snapshot} false) or snapshot to a raw file and imports that into a new volume. */
    record ExportImport(int image, boolean snapshot) implements Op {
    }

    record Flush() implements Op {
    }

    record Reopen() implements Op {
    }

    @Provide
    Arbitrary<Op> op() {
        Arbitrary<Integer> any = Arbitraries.integers().between(0, 1000);
        Arbitrary<Integer> blocks = Arbitraries.integers().between(1, (int) (MAX_SIZE >>> Blocks.SHIFT));
        Arbitrary<Integer> cut = Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(1, Blocks.SIZE - 1));
        Arbitrary<Integer> block = Arbitraries.integers().between(0, (int) (MAX_SIZE >>> Blocks.SHIFT) - 1);
        Arbitrary<Integer> offset = Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(0, Blocks.SIZE - 1));
        Arbitrary<Integer> length = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(Blocks.SIZE)),
                Tuple.of(4, Arbitraries.integers().between(1, 5000)),
                Tuple.of(4, Arbitraries.integers().between(1, 2 * Blocks.SIZE)),
                Tuple.of(2, Arbitraries.integers().between(2 * Blocks.SIZE, 6 * Blocks.SIZE)));
        return Arbitraries.frequencyOf(
                Tuple.of(2, Combinators.combine(blocks, cut).as(Create::new)),
                Tuple.of(10, Combinators.combine(any, block, offset, length, Arbitraries.longs(),
                        Arbitraries.integers().between(0, 4)).as(Write::new)),
                Tuple.of(3, Combinators.combine(any, block, offset, length, Arbitraries.of(true, false)).as(Discard::new)),
                Tuple.of(5, any.map(Snap::new)),
                Tuple.of(3, Combinators.combine(any, any, Arbitraries.of(false, false, false, true)).as(Revert::new)),
                Tuple.of(2, any.map(CloneOf::new)),
                Tuple.of(2, any.map(DeleteSnapshot::new)),
                Tuple.of(1, any.map(DeleteVolume::new)),
                Tuple.of(2, Combinators.combine(any, blocks, cut, Arbitraries.of(true, false)).as(Resize::new)),
                Tuple.of(1, Combinators.combine(any, Arbitraries.of(true, false)).as(ExportImport::new)),
                Tuple.of(1, Arbitraries.just(new Flush())),
                Tuple.of(2, Arbitraries.just(new Reopen())));
    }

    /** The model: volumes and snapshots by id, in creation order, and each snapshot's volume. */
    private final Map<Long, PoolModel.Image> volumes = new LinkedHashMap<>();
    private final Map<Long, PoolModel.Image> snapshots = new LinkedHashMap<>();
    private final Map<Long, Long> owner = new LinkedHashMap<>();
    private VolumePool pool;
    private int names;

    @Property(tries = 40)
    void theApiAgreesWithTheModel(@ForAll @Size(min = 5, max = 50) List<@From("op") Op> ops) throws IOException {
        volumes.clear();
        snapshots.clear();
        owner.clear();
        Path dir = PoolModel.tempDirectory("vvm-model");
        try {
            pool = VolumePool.create(dir, OPTIONS);
            Volume first = pool.createVolume("v" + names++, 3L << 20);
            volumes.put(first.id(), new PoolModel.Image(3L << 20));
            int reopens = 0;
            for (Op op : ops) {
                apply(op, dir);
                if (op instanceof Reopen) {
                    reopens++;
                }
                verify(op, op instanceof Reopen);
            }
            verify("the end", true);
            Statistics.label("reopens").collect(Math.min(reopens, 2));
            Statistics.label("snapshots at the end").collect(Math.min(snapshots.size(), 4));
        } finally {
            try {
                if (pool != null) {
                    pool.close();
                }
            } finally {
                pool = null;
                PoolModel.deleteTree(dir);
            }
        }
    }

    private void apply(Op op, Path dir) {
        switch (op) {
            case Create c when volumes.size() < MAX_VOLUMES -> {
                long size = size(c.blocks(), c.cut());
                Volume v = pool.createVolume("v" + names++, size);
                volumes.put(v.id(), new PoolModel.Image(size));
            }
            case Write w when !volumes.isEmpty() -> {
                long id = pick(volumes, w.volume());
                PoolModel.Image m = volumes.get(id);
                long position = Math.min(Blocks.bytes(w.block()) + w.offset(), m.size - 1);
                int length = (int) Math.min(w.length(), m.size - position);
                byte[] data = new byte[length];
                new Random(w.seed()).nextBytes(data);
                Volume v = pool.volume(id);
                write(v, position, data, w.api());
                m.write(position, data);
                assertArrayEquals(data, read(v, position, length, w.api()), "read back of " + v);
            }
            case Discard d when !volumes.isEmpty() -> {
                long id = pick(volumes, d.volume());
                PoolModel.Image m = volumes.get(id);
                long position = Math.min(Blocks.bytes(d.block()) + d.offset(), m.size - 1);
                long length = Math.min(d.length(), m.size - position);
                if (d.asWriteZeroes()) {
                    pool.volume(id).writeZeroes(position, length);
                } else {
                    pool.volume(id).discard(position, length);
                }
                m.discard(position, length);
            }
            case Snap s when !volumes.isEmpty() && snapshots.size() < MAX_SNAPSHOTS -> {
                long id = pick(volumes, s.volume());
                Snapshot made = pool.volume(id).snapshot("s" + names++);
                assertEquals(volumes.get(id).size, made.size());
                assertEquals(id, made.volumeId());
                snapshots.put(made.id(), volumes.get(id).copy());
                owner.put(made.id(), id);
            }
            case Revert r when !volumes.isEmpty() -> {
                long id = pick(volumes, r.volume());
                List<Long> own = owner.keySet().stream().filter(s -> owner.get(s) == id).toList();
                List<Long> foreign = owner.keySet().stream().filter(s -> owner.get(s) != id).toList();
                Volume v = pool.volume(id);
                if (r.foreign() && !foreign.isEmpty()) {
                    Snapshot other = pool.snapshot(foreign.get(r.snapshot() % foreign.size()));
                    assertThrows(PoolArgumentException.class, () -> v.revertTo(other));
                } else if (!own.isEmpty()) {
                    long target = own.get(r.snapshot() % own.size());
                    v.revertTo(pool.snapshot(target));
                    volumes.put(id, snapshots.get(target).copy());
                    assertEquals(target, v.origin().orElseThrow().id(), "origin after revert");
                }
            }
            case CloneOf c when !snapshots.isEmpty() && volumes.size() < MAX_VOLUMES -> {
                long source = pick(snapshots, c.snapshot());
                Volume made = pool.clone(pool.snapshot(source), "v" + names++);
                volumes.put(made.id(), snapshots.get(source).copy());
            }
            case DeleteSnapshot d when !snapshots.isEmpty() -> {
                long id = pick(snapshots, d.snapshot());
                Snapshot s = pool.snapshot(id);
                s.delete();
                snapshots.remove(id);
                owner.remove(id);
                assertThrows(PoolNotFoundException.class, () -> s.read(0, new byte[1]));
            }
            case DeleteVolume d when !volumes.isEmpty() -> {
                long id = pick(volumes, d.volume());
                Volume v = pool.volume(id);
                v.delete();
                volumes.remove(id);
                owner.values().removeIf(o -> o == id);
                snapshots.keySet().retainAll(owner.keySet());
                assertThrows(PoolNotFoundException.class, () -> v.read(0, new byte[1]));
            }
            case Resize z when !volumes.isEmpty() -> {
                long id = pick(volumes, z.volume());
                PoolModel.Image m = volumes.get(id);
                long size = size(z.blocks(), z.cut());
                Volume v = pool.volume(id);
                if (size < m.size && !z.allowShrink()) {
                    assertThrows(PoolArgumentException.class, () -> v.resize(size, false));
                } else {
                    v.resize(size, z.allowShrink());
                    m.resize(size);
                }
            }
            case ExportImport e when volumes.size() < MAX_VOLUMES && !(e.snapshot() ? snapshots : volumes).isEmpty() -> {
                Map<Long, PoolModel.Image> from = e.snapshot() ? snapshots : volumes;
                long id = pick(from, e.image());
                BlockImage source = e.snapshot() ? pool.snapshot(id) : pool.volume(id);
                Path raw = dir.resolve("export-" + names + ".raw");
                source.exportTo(raw, io.coems.matrix.ProgressListener.NONE);
                Volume copy = pool.createVolume("v" + names++, source.size());
                copy.importFrom(raw, io.coems.matrix.ProgressListener.NONE);
                uncheckedDelete(raw);
                volumes.put(copy.id(), from.get(id).imported());
            }
            case Flush f -> pool.flush();
            case Reopen r -> {
                Volume before = volumes.isEmpty() ? null : pool.volume(volumes.keySet().iterator().next());
                pool.flush();
                pool.close();
                pool = null;
                pool = VolumePool.open(dir, OPTIONS);
                if (before != null) {
                    assertThrows(PoolClosedException.class, () -> before.read(0, new byte[1]),
                            "a handle of the closed pool");
                }
            }
            default -> {
            }
        }
    }

    /** Checks every image against the model; whole-image reads only when {@code thorough}. */
    private void verify(Object after, boolean thorough) {
        long fullRead = thorough ? MAX_SIZE : 0;
        Map<Long, BlockImage> images = new LinkedHashMap<>();
        Map<Long, PoolModel.Image> models = new LinkedHashMap<>();
        assertEquals(volumes.keySet().stream().sorted().toList(),
                pool.volumes().stream().map(Volume::id).sorted().toList(), "volumes after " + after);
        for (Map.Entry<Long, PoolModel.Image> e : volumes.entrySet()) {
            Volume v = pool.volume(e.getKey());
            PoolModel.assertContent(v + " after " + after, e.getValue(), v, fullRead);
            List<Long> history = owner.keySet().stream().filter(s -> owner.get(s).equals(e.getKey())).toList();
            assertEquals(history, v.history().stream().map(Snapshot::id).toList(), "history of " + v + " after " + after);
            images.put(e.getKey(), v);
            models.put(e.getKey(), e.getValue());
        }
        for (Map.Entry<Long, PoolModel.Image> e : snapshots.entrySet()) {
            Snapshot s = pool.snapshot(e.getKey());
            PoolModel.assertContent(s + " after " + after, e.getValue(), s, fullRead);
            images.put(e.getKey(), s);
            models.put(e.getKey(), e.getValue());
        }
        PoolModel.assertSpace(models, images);
        for (Map.Entry<Long, PoolModel.Image> s : snapshots.entrySet()) {
            for (Map.Entry<Long, PoolModel.Image> v : volumes.entrySet()) {
                assertEquals(PoolModel.diff(s.getValue(), v.getValue()), pool.diff(images.get(s.getKey()),
                        images.get(v.getKey())), "diff of " + images.get(s.getKey()) + " and " + images.get(v.getKey()));
            }
        }
        assertEquals(List.of(), pool.check(), "check after " + after);
    }

    private static void uncheckedDelete(Path file) {
        try {
            java.nio.file.Files.delete(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long size(int blocks, int cut) {
        return Math.max(1, Blocks.bytes(blocks) - cut);
    }

    private static long pick(Map<Long, ?> map, int selector) {
        return new ArrayList<>(map.keySet()).get(selector % map.size());
    }

    private static void write(Volume v, long position, byte[] data, int api) {
        switch (api) {
            case 0 -> v.write(position, data);
            case 1 -> {
                byte[] padded = new byte[data.length + 7];
                System.arraycopy(data, 0, padded, 3, data.length);
                v.write(position, padded, 3, data.length);
            }
            case 2 -> {
                ByteBuffer buffer = ByteBuffer.wrap(data);
                v.write(position, buffer);
                assertEquals(0, buffer.remaining(), "the buffer is consumed");
            }
            case 3 -> v.write(position, ByteBuffer.allocateDirect(data.length).put(data).flip());
            default -> {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment segment = arena.allocate(data.length);
                    segment.copyFrom(MemorySegment.ofArray(data));
                    v.write(position, segment);
                }
            }
        }
    }

    private static byte[] read(BlockImage image, long position, int length, int api) {
        byte[] out = new byte[length];
        switch (api % 3) {
            case 0 -> image.read(position, out);
            case 1 -> {
                ByteBuffer buffer = ByteBuffer.allocateDirect(length);
                image.read(position, buffer);
                assertEquals(0, buffer.remaining(), "the buffer is filled");
                buffer.flip().get(out);
            }
            default -> {
                byte[] padded = new byte[length + 5];
                image.read(position, padded, 2, length);
                System.arraycopy(padded, 2, out, 0, length);
            }
        }
        return out;
    }
}

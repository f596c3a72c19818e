package io.coems.sfs;

import io.coems.matrix.Blocks;
import io.coems.matrix.device.MemoryDevice;
import io.coems.sfs.format.Geometry;
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

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Random sequences of partial and whole-block writes, reads, spawns (chains and trees),
 * deletes, discards and reopens over several vnodes, against a model of each vnode's bytes.
 * Logical blocks are drawn near the index-block boundaries so trees of every shape appear.
 * After deleting every vnode, the free block count is what it was right after format.
 */
class SfsModelProperties {
    private static final long E = Geometry.INDEX_ENTRIES;
    private static final long[] HOT_BLOCKS = {0, 1, 2, 7, E - 1, E, E + 1, E * E - 1, E * E, 3 * E * E + 5};
    private static final long VNODE_SIZE = Blocks.bytes(4 * E * E);
    static final SfsOptions SMALL = new SfsOptions(256, 16, 64, 0, 1L << 18);

    sealed interface Op permits Create, Write, Read, Spawn, Delete, Discard, Resize, Reopen {
    }

    record Create() implements Op {
    }

    record Write(int vnode, int block, int offset, int length, long seed) implements Op {
    }

    record Read(int vnode, int block, int offset, int length) implements Op {
    }

    record Spawn(int vnode) implements Op {
    }

    record Delete(int vnode) implements Op {
    }

    record Discard(int vnode, int block, int offset, int length) implements Op {
    }

    /** Shrinks to a size around a hot block, then grows back: what was beyond reads as zeros. */
    record Resize(int vnode, int block, int offset) implements Op {
    }

    record Reopen() implements Op {
    }

    @Provide
    Arbitrary<Op> op() {
        Arbitrary<Integer> vnode = Arbitraries.integers().between(0, 1000);
        Arbitrary<Integer> block = Arbitraries.integers().between(0, HOT_BLOCKS.length - 1);
        Arbitrary<Integer> offset = Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(0, Blocks.SIZE - 1));
        Arbitrary<Integer> length = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just(Blocks.SIZE)),
                Tuple.of(4, Arbitraries.integers().between(1, 5000)),
                Tuple.of(4, Arbitraries.integers().between(1, 2 * Blocks.SIZE)),
                Tuple.of(1, Arbitraries.integers().between(65 * Blocks.SIZE, 70 * Blocks.SIZE)));
        return Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just(new Create())),
                Tuple.of(8, Combinators.combine(vnode, block, offset, length, Arbitraries.longs()).as(Write::new)),
                Tuple.of(4, Combinators.combine(vnode, block, offset, length).as(Read::new)),
                Tuple.of(5, vnode.map(Spawn::new)),
                Tuple.of(1, vnode.map(Delete::new)),
                Tuple.of(2, Combinators.combine(vnode, block, offset, length).as(Discard::new)),
                Tuple.of(1, Combinators.combine(vnode, block, offset).as(Resize::new)),
                Tuple.of(1, Arbitraries.just(new Reopen())));
    }

    /** A vnode's bytes: blocks never written are absent (zeros). */
    static final class Model {
        final Map<Long, byte[]> blocks = new TreeMap<>();

        Model copy() {
            Model m = new Model();
            blocks.forEach((b, data) -> m.blocks.put(b, data.clone()));
            return m;
        }

        void write(long position, byte[] data) {
            for (int i = 0; i < data.length; ) {
                long at = position + i;
                long block = at >>> Blocks.SHIFT;
                int within = (int) (at & (Blocks.SIZE - 1));
                int n = Math.min(data.length - i, Blocks.SIZE - within);
                System.arraycopy(data, i, blocks.computeIfAbsent(block, b -> new byte[Blocks.SIZE]), within, n);
                i += n;
            }
        }

        /** Drops every byte from {@code size} on: it reads as zeros. */
        void truncate(long size) {
            long first = size >>> Blocks.SHIFT;
            byte[] partial = blocks.get(first);
            if (partial != null) {
                java.util.Arrays.fill(partial, (int) (size & (Blocks.SIZE - 1)), Blocks.SIZE, (byte) 0);
            }
            blocks.keySet().removeIf(b -> b > first || (b == first && (size & (Blocks.SIZE - 1)) == 0));
        }

        byte[] read(long position, int length) {
            byte[] out = new byte[length];
            for (int i = 0; i < length; ) {
                long at = position + i;
                int within = (int) (at & (Blocks.SIZE - 1));
                int n = Math.min(length - i, Blocks.SIZE - within);
                byte[] block = blocks.get(at >>> Blocks.SHIFT);
                if (block != null) {
                    System.arraycopy(block, within, out, i, n);
                }
                i += n;
            }
            return out;
        }
    }

    @Property(tries = 150)
    void vnodesAgreeWithTheirModels(@ForAll @Size(min = 5, max = 40) List<@From("op") Op> ops) {
        MemoryDevice store = new MemoryDevice("sfs", 2048);
        SuperFileSystem[] fs = {SuperFileSystem.format(store, SMALL)};
        long freeAfterFormat = fs[0].freeBlocks();
        List<VnodeId> ids = new ArrayList<>(List.of(fs[0].create(VNODE_SIZE), fs[0].create(VNODE_SIZE)));
        List<Model> models = new ArrayList<>(List.of(new Model(), new Model()));
        int spawns = 0;
        for (Op op : ops) {
            switch (op) {
                case Create c -> {
                    ids.add(fs[0].create(VNODE_SIZE));
                    models.add(new Model());
                }
                case Write w when !ids.isEmpty() -> {
                    int v = w.vnode() % ids.size();
                    long position = Blocks.bytes(HOT_BLOCKS[w.block()]) + w.offset();
                    int length = (int) Math.min(w.length(), VNODE_SIZE - position);
                    byte[] data = new byte[length];
                    new Random(w.seed()).nextBytes(data);
                    fs[0].write(ids.get(v), position, MemorySegment.ofArray(data));
                    models.get(v).write(position, data);
                }
                case Read r when !ids.isEmpty() -> {
                    int v = r.vnode() % ids.size();
                    long position = Blocks.bytes(HOT_BLOCKS[r.block()]) + r.offset();
                    int length = (int) Math.min(r.length(), VNODE_SIZE - position);
                    byte[] got = new byte[length];
                    fs[0].read(ids.get(v), position, MemorySegment.ofArray(got));
                    assertArrayEquals(models.get(v).read(position, length), got, "read of " + ids.get(v));
                }
                case Spawn s when !ids.isEmpty() -> {
                    int v = s.vnode() % ids.size();
                    ids.add(fs[0].spawn(ids.get(v)));
                    models.add(models.get(v).copy());
                    spawns++;
                }
                case Delete d when !ids.isEmpty() -> {
                    int v = d.vnode() % ids.size();
                    fs[0].delete(ids.remove(v));
                    models.remove(v);
                }
                case Discard d when !ids.isEmpty() -> {
                    int v = d.vnode() % ids.size();
                    long position = Blocks.bytes(HOT_BLOCKS[d.block()]) + d.offset();
                    int length = (int) Math.min(d.length(), VNODE_SIZE - position);
                    fs[0].discard(ids.get(v), position, length);
                    models.get(v).write(position, new byte[length]);
                }
                case Resize z when !ids.isEmpty() -> {
                    int v = z.vnode() % ids.size();
                    long size = Blocks.bytes(HOT_BLOCKS[z.block()]) + z.offset();
                    fs[0].resize(ids.get(v), size);
                    models.get(v).truncate(size);
                    fs[0].resize(ids.get(v), VNODE_SIZE);
                }
                case Reopen r -> {
                    fs[0].close();
                    fs[0] = SuperFileSystem.open(store, SMALL);
                }
                default -> {
                }
            }
            assertEquals(List.of(), fs[0].check(), "check after " + op);
        }
        Statistics.label("spawns").collect(Math.min(spawns, 4));
        for (int v = 0; v < ids.size(); v++) {
            for (Map.Entry<Long, byte[]> e : models.get(v).blocks.entrySet()) {
                byte[] got = new byte[Blocks.SIZE];
                fs[0].read(ids.get(v), Blocks.bytes(e.getKey()), MemorySegment.ofArray(got));
                assertArrayEquals(e.getValue(), got, ids.get(v) + " block " + e.getKey());
            }
        }
        for (VnodeId id : ids) {
            fs[0].delete(id);
        }
        assertEquals(freeAfterFormat, fs[0].freeBlocks(), "every block is free again after deleting every vnode");
        assertEquals(List.of(), fs[0].check());
        assertEquals(List.of(), fs[0].vnodes(), "no vnode is left: " + Arrays.toString(ids.toArray()));
        fs[0].close();
        store.close();
    }
}

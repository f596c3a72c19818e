package io.coems.sfs;

import io.coems.matrix.Blocks;
import io.coems.matrix.device.MemoryDevice;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link SuperFileSystem#space}, {@link SuperFileSystem#diff} and {@link SuperFileSystem#mapped}
 * against a model in which every write of a block leaves a unique token: two vnodes share a data
 * block exactly when they hold the same token there. Random creates, spawns, writes (partial and
 * whole blocks), discards and deletes; after each step every vnode's space and every pair's diff
 * must equal the model's. The seed is jqwik's, printed on failure.
 */
class SpaceAndDiffProperties {
    private static final int BLOCKS = 40;

    @Property(tries = 40)
    void spaceAndDiffFollowTheModel(@ForAll long seed) {
        Random random = new Random(seed);
        Map<VnodeId, long[]> model = new HashMap<>();
        long[] nextToken = {1};
        try (SuperFileSystem fs = SuperFileSystem.format(new MemoryDevice("m", 2048), SfsModelProperties.SMALL)) {
            model.put(fs.create(Blocks.bytes(BLOCKS)), new long[BLOCKS]);
            for (int step = 0; step < 60; step++) {
                List<VnodeId> ids = new ArrayList<>(model.keySet());
                VnodeId v = ids.get(random.nextInt(ids.size()));
                long[] tokens = model.get(v);
                int lb = random.nextInt(BLOCKS);
                switch (random.nextInt(8)) {
                    case 0 -> model.put(fs.spawn(v), tokens.clone());
                    case 1 -> {
                        if (ids.size() > 1) {
                            fs.delete(v);
                            model.remove(v);
                        } else {
                            model.put(fs.create(Blocks.bytes(BLOCKS)), new long[BLOCKS]);
                        }
                    }
                    case 2 -> {
                        int blocks = 1 + random.nextInt(3);
                        fs.discard(v, Blocks.bytes(lb), Blocks.bytes(Math.min(blocks, BLOCKS - lb)));
                        for (int i = lb; i < Math.min(lb + blocks, BLOCKS); i++) {
                            tokens[i] = 0;
                        }
                    }
                    default -> {
                        boolean whole = random.nextBoolean();
                        fs.write(v, Blocks.bytes(lb) + (whole ? 0 : random.nextInt(Blocks.SIZE - 100)),
                                MemorySegment.ofArray(new byte[whole ? Blocks.SIZE : 100]));
                        tokens[lb] = nextToken[0]++;
                    }
                }
                verify(fs, model);
            }
        }
    }

    private static void verify(SuperFileSystem fs, Map<VnodeId, long[]> model) {
        for (Map.Entry<VnodeId, long[]> e : model.entrySet()) {
            long mapped = 0;
            long exclusive = 0;
            for (int block = 0; block < BLOCKS; block++) {
                int lb = block;
                long token = e.getValue()[lb];
                if (token != 0) {
                    mapped++;
                    if (model.entrySet().stream().noneMatch(o -> o.getKey() != e.getKey() && o.getValue()[lb] == token)) {
                        exclusive++;
                    }
                }
            }
            VnodeSpace space = fs.space(e.getKey());
            assertEquals(mapped, space.mapped(), "mapped blocks of " + e.getKey());
            assertEquals(exclusive, space.exclusive(), "exclusive blocks of " + e.getKey());
            assertEquals(ranges(e.getValue(), new long[BLOCKS]), fs.mapped(e.getKey()), "mapped ranges of " + e.getKey());
            for (Map.Entry<VnodeId, long[]> o : model.entrySet()) {
                assertEquals(ranges(e.getValue(), o.getValue()), fs.diff(e.getKey(), o.getKey()),
                        "diff of " + e.getKey() + " and " + o.getKey());
            }
        }
    }

    /** The runs of blocks at which the two token arrays differ. */
    private static List<BlockRange> ranges(long[] a, long[] b) {
        List<BlockRange> ranges = new ArrayList<>();
        for (int lb = 0; lb < BLOCKS; lb++) {
            if (a[lb] != b[lb]) {
                BlockRange last = ranges.isEmpty() ? null : ranges.getLast();
                if (last != null && last.end() == lb) {
                    ranges.set(ranges.size() - 1, new BlockRange(last.first(), last.count() + 1));
                } else {
                    ranges.add(new BlockRange(lb, 1));
                }
            }
        }
        return ranges;
    }
}

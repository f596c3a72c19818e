package io.coems.vvm;

import io.coems.matrix.Blocks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Test support: a plain-Java model of a volume's or snapshot's bytes at 64 KiB block granularity.
 * A block is mapped while it holds a write token: every write (or zeroing of a mapped block)
 * leaves a new token, copies share their tokens, so two images share a data block exactly when
 * they hold the same token there.
 */
final class PoolModel {
    private static long nextToken = 1;

    private PoolModel() {
    }

    /** The model of one image: its size and, per mapped block, its bytes and write token. */
    static final class Image {
        final TreeMap<Long, byte[]> blocks = new TreeMap<>();
        final TreeMap<Long, Long> tokens = new TreeMap<>();
        long size;

        Image(long size) {
            this.size = size;
        }

        Image copy() {
            Image m = new Image(size);
            blocks.forEach((b, data) -> m.blocks.put(b, data.clone()));
            m.tokens.putAll(tokens);
            return m;
        }

        /** Writes {@code data} at {@code position}: every touched block becomes mapped with a new token. */
        void write(long position, byte[] data) {
            for (int i = 0; i < data.length; ) {
                long at = position + i;
                long block = at >>> Blocks.SHIFT;
                int within = (int) (at & (Blocks.SIZE - 1));
                int n = Math.min(data.length - i, Blocks.SIZE - within);
                System.arraycopy(data, i, blocks.computeIfAbsent(block, b -> new byte[Blocks.SIZE]), within, n);
                tokens.put(block, token());
                i += n;
            }
        }

        /**
         * Discards {@code length} bytes at {@code position}: whole blocks are unmapped; the bytes of
         * partly covered blocks are zeroed, and such a block, if mapped, stays mapped with a new token.
         */
        void discard(long position, long length) {
            long end = position + length;
            for (long at = position; at < end; ) {
                long block = at >>> Blocks.SHIFT;
                long blockEnd = Math.min(end, Blocks.bytes(block + 1));
                byte[] data = blocks.get(block);
                if (at == Blocks.bytes(block) && blockEnd == Blocks.bytes(block + 1)) {
                    blocks.remove(block);
                    tokens.remove(block);
                } else if (data != null) {
                    Arrays.fill(data, (int) (at - Blocks.bytes(block)), (int) (blockEnd - Blocks.bytes(block)), (byte) 0);
                    tokens.put(block, token());
                }
                at = blockEnd;
            }
        }

        /** Changes the size; shrinking drops every byte from the new size on, as {@link #discard} does. */
        void resize(long newSize) {
            if (newSize < size) {
                long end = Blocks.bytes((size + Blocks.SIZE - 1) >>> Blocks.SHIFT);
                discard(newSize, end - newSize);
            }
            size = newSize;
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

        /** The mapped blocks as byte ranges, adjacent blocks merged, the last cut at the size. */
        List<Extent> mapped() {
            return extents(blocks.navigableKeySet(), size);
        }

        /**
         * The model of a new volume of this size into which this image was exported and imported:
         * blocks holding only zeros are not written.
         */
        Image imported() {
            Image m = new Image(size);
            blocks.forEach((block, data) -> {
                int n = (int) Math.min(Blocks.SIZE, size - Blocks.bytes(block));
                if (!Arrays.equals(data, 0, n, new byte[n], 0, n)) {
                    m.write(Blocks.bytes(block), Arrays.copyOf(data, n));
                }
            });
            return m;
        }
    }

    /** The byte ranges at which {@code a} and {@code b} hold different write tokens, cut at the larger size. */
    static List<Extent> diff(Image a, Image b) {
        java.util.TreeSet<Long> differing = new java.util.TreeSet<>(a.tokens.keySet());
        differing.addAll(b.tokens.keySet());
        differing.removeIf(block -> java.util.Objects.equals(a.tokens.get(block), b.tokens.get(block)));
        return extents(differing, Math.max(a.size, b.size));
    }

    /** The blocks as byte ranges, adjacent blocks merged, cut at {@code size}. */
    private static List<Extent> extents(java.util.SortedSet<Long> blocks, long size) {
        List<Extent> extents = new ArrayList<>();
        for (long block : blocks) {
            long start = Blocks.bytes(block);
            long end = Math.min(size, Blocks.bytes(block + 1));
            if (end <= start) {
                continue;
            }
            Extent last = extents.isEmpty() ? null : extents.getLast();
            if (last != null && last.end() == start) {
                extents.set(extents.size() - 1, new Extent(last.offset(), end - last.offset()));
            } else {
                extents.add(new Extent(start, end - start));
            }
        }
        return extents;
    }

    /**
     * A new temporary directory, in memory ({@code /dev/shm}) where there is one: pools there
     * flush at memory speed.
     */
    static Path tempDirectory(String prefix) throws IOException {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, prefix)
                : Files.createTempDirectory(prefix);
    }

    /** Deletes {@code dir} with everything in it. */
    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static synchronized long token() {
        return nextToken++;
    }

    /**
     * Asserts that {@code image} has the model's size, mapped ranges and bytes (read block by block
     * where mapped, plus one read across the whole image when it is at most {@code fullReadLimit}).
     */
    static void assertContent(String what, Image model, BlockImage image, long fullReadLimit) {
        assertEquals(model.size, image.size(), what + ": size");
        assertEquals(model.mapped(), image.mapped(), what + ": mapped ranges");
        byte[] got = new byte[Blocks.SIZE];
        for (Map.Entry<Long, byte[]> e : model.blocks.entrySet()) {
            long start = Blocks.bytes(e.getKey());
            int n = (int) Math.min(Blocks.SIZE, model.size - start);
            byte[] buffer = n == Blocks.SIZE ? got : new byte[n];
            image.read(start, buffer);
            assertArrayEquals(Arrays.copyOf(e.getValue(), n), buffer, what + ": block " + e.getKey());
        }
        if (model.size <= fullReadLimit) {
            byte[] all = new byte[(int) model.size];
            image.read(0, all);
            assertArrayEquals(model.read(0, all.length), all, what + ": whole image");
        }
    }

    /**
     * Asserts each image's space: allocated is its mapped blocks, exclusive those of its blocks
     * whose token no other image of {@code all} holds.
     */
    static <K> void assertSpace(Map<K, Image> all, Map<K, ? extends BlockImage> images) {
        Map<Long, Integer> holders = new HashMap<>();
        for (Image m : all.values()) {
            for (long token : m.tokens.values()) {
                holders.merge(token, 1, Integer::sum);
            }
        }
        for (Map.Entry<K, Image> e : all.entrySet()) {
            Collection<Long> tokens = e.getValue().tokens.values();
            long exclusive = tokens.stream().filter(t -> holders.get(t) == 1).count();
            VolumeSpace space = images.get(e.getKey()).space();
            String what = images.get(e.getKey()).toString();
            assertEquals(Blocks.bytes(tokens.size()), space.allocated(), what + ": allocated");
            assertEquals(Blocks.bytes(exclusive), space.exclusive(), what + ": exclusive");
        }
    }
}

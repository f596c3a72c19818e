package io.coems.vvm;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A run of bytes of a volume or snapshot that is either data (mapped: written and not
 * discarded since) or a hole (reads as zeros): what block-status answers of the gateways
 * (NBD, NVSP) report.
 *
 * <pre>{@code
 * List<MappedRun> runs = MappedRun.of(volume.mapped(), offset, offset + length, 4159);
 * }</pre>
 *
 * @param offset the first byte
 * @param length how many bytes, positive
 * @param hole true if the run reads as zeros without being mapped
 */
public record MappedRun(long offset, long length, boolean hole) {
    /** One past the last byte. */
    public long end() {
        return offset + length;
    }

    /**
     * The runs of {@code [start, end)}: data where {@code mapped} covers it, holes elsewhere,
     * neighbours of one kind merged, in order. At most {@code max} of them: they then cover a
     * prefix of the range, and a caller asks again from the end of the last one.
     *
     * @param mapped the mapped extents of an image ({@link BlockImage#mapped()}), in any order
     * @param start the first byte of the range
     * @param end one past its last byte
     * @param max the most runs to return, positive
     * @return the runs, at least one if the range is not empty
     * @throws PoolArgumentException if the range is negative or {@code max} is not positive
     */
    public static List<MappedRun> of(List<Extent> mapped, long start, long end, int max) {
        if (start < 0 || end < start) {
            throw new PoolArgumentException("range [" + start + ", " + end + ") is not a byte range");
        }
        if (max <= 0) {
            throw new PoolArgumentException("at most " + max + " runs: the cap must be positive");
        }
        List<MappedRun> runs = new ArrayList<>();
        long position = start;
        for (Extent extent : mapped.stream().sorted(Comparator.comparingLong(Extent::offset)).toList()) {
            if (extent.offset() >= end || runs.size() > max) {
                break;
            }
            if (extent.end() <= position) {
                continue;
            }
            if (extent.offset() > position) {
                add(runs, position, extent.offset(), true);
            }
            long stop = Math.min(extent.end(), end);
            add(runs, Math.max(position, extent.offset()), stop, false);
            position = stop;
        }
        if (position < end) {
            add(runs, position, end, true);
        }
        return runs.size() > max ? List.copyOf(runs.subList(0, max)) : runs;
    }

    /** Appends [from, to) of one kind, merged into the last run if it is of the same kind; nothing if empty. */
    private static void add(List<MappedRun> runs, long from, long to, boolean hole) {
        if (to <= from) {
            return;
        }
        if (!runs.isEmpty() && runs.getLast().hole == hole && runs.getLast().end() == from) {
            MappedRun last = runs.removeLast();
            runs.add(new MappedRun(last.offset, to - last.offset, hole));
        } else {
            runs.add(new MappedRun(from, to - from, hole));
        }
    }
}

package io.coems.matrix;

import java.util.ArrayList;
import java.util.List;

/**
 * What a scrub found.
 *
 * @param rowsChecked  block rows (one block on every member) compared
 * @param mismatches   rows whose mirrors or parity disagreed
 * @param repaired     of those, rows rewritten to agree
 * @param unverifiable rows skipped because a member was failed or rebuilding there
 * @param details      the first mismatches, one line each (space, stripe, row, what differed)
 */
public record ScrubReport(long rowsChecked, long mismatches, long repaired, long unverifiable, List<String> details) {
    /** Most mismatch lines kept in {@link #details()}. */
    public static final int MAX_DETAILS = 100;

    /** The sum of two reports (details truncated to {@link #MAX_DETAILS}). */
    public ScrubReport plus(ScrubReport other) {
        List<String> all = details; // a clean row adds nothing: List.copyOf keeps an unmodifiable list as it is
        if (!other.details.isEmpty() || details.size() > MAX_DETAILS) {
            List<String> joined = new ArrayList<>(details);
            joined.addAll(other.details);
            all = joined.subList(0, Math.min(joined.size(), MAX_DETAILS));
        }
        return new ScrubReport(rowsChecked + other.rowsChecked, mismatches + other.mismatches,
                repaired + other.repaired, unverifiable + other.unverifiable, List.copyOf(all));
    }

    /** An empty report. */
    public static ScrubReport empty() {
        return new ScrubReport(0, 0, 0, 0, List.of());
    }
}

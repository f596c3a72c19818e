package io.coems.matrix;

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
        if (other.details.isEmpty() && details.size() <= MAX_DETAILS) {
            // Nothing to add: List.copyOf returns an already unmodifiable list as it is.
            return new ScrubReport(rowsChecked + other.rowsChecked, mismatches + other.mismatches,
                    repaired + other.repaired, unverifiable + other.unverifiable, List.copyOf(details));
        }
        List<String> all = new java.util.ArrayList<>(details);
        all.addAll(other.details);
        return new ScrubReport(rowsChecked + other.rowsChecked, mismatches + other.mismatches,
                repaired + other.repaired, unverifiable + other.unverifiable,
                List.copyOf(all.subList(0, Math.min(all.size(), MAX_DETAILS))));
    }

    /** An empty report. */
    public static ScrubReport empty() {
        return new ScrubReport(0, 0, 0, 0, List.of());
    }
}

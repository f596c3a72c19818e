package io.coems.cli;

import io.coems.matrix.ProgressListener;

import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * A one-line text progress bar for bytes: the bar, the percentage, bytes done of the total, the
 * rate and the time left, redrawn in place with a carriage return at most ten times a second
 * and always when the work is complete, which ends the line. Used by one thread at a time.
 */
public final class ProgressBar implements ProgressListener {
    private static final int WIDTH = 24;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream out;
    private final String label;
    private final LongSupplier nanos;
    private final long start;
    private long lastDraw = Long.MIN_VALUE;
    private int lastLength;
    private boolean finished;

    /** A bar labelled {@code label} drawn on {@code out}, timed by {@code nanos} ({@link System#nanoTime}). */
    public ProgressBar(PrintStream out, String label, LongSupplier nanos) {
        this.out = out;
        this.label = label;
        this.nanos = nanos;
        this.start = nanos.getAsLong();
    }

    @Override
    public void progress(long done, long total) {
        if (finished) {
            return;
        }
        long now = nanos.getAsLong();
        boolean complete = total <= 0 || done >= total;
        if (!complete && lastDraw != Long.MIN_VALUE && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        String line = label + " " + line(done, total, now - start);
        String clear = " ".repeat(Math.max(0, lastLength - line.length()));
        lastLength = line.length();
        out.print("\r" + line + clear);
        if (complete) {
            out.println();
            finished = true;
        }
        out.flush();
    }

    /** Ends the line if the work stopped before it was complete (failed); idempotent. */
    public void finish() {
        if (!finished && lastDraw != Long.MIN_VALUE) {
            out.println();
        }
        finished = true;
    }

    /**
     * The bar's text for {@code done} of {@code total} bytes after {@code elapsedNanos}, e.g.
     * {@code [############------------]  50%  128 MiB/256 MiB  64 MiB/s  ETA 0:02}.
     */
    static String line(long done, long total, long elapsedNanos) {
        double fraction = total <= 0 ? 1 : Math.min(1, Math.max(0, (double) done / total));
        int filled = (int) Math.round(fraction * WIDTH);
        double seconds = elapsedNanos / 1e9;
        long rate = seconds > 0 ? (long) (done / seconds) : 0;
        String eta = rate > 0 ? clock((total - done + rate - 1) / rate) : "--:--";
        return "[" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] "
                + String.format("%3d%%", (int) Math.floor(fraction * 100)) + "  "
                + Sizes.format(done) + "/" + Sizes.format(total) + "  "
                + Sizes.format(rate) + "/s  "
                + (fraction >= 1 ? "in " + clock(Math.round(seconds)) : "ETA " + eta);
    }

    private static String clock(long seconds) {
        long h = seconds / 3600;
        long m = seconds / 60 % 60;
        long s = seconds % 60;
        return h > 0 ? String.format("%d:%02d:%02d", h, m, s) : String.format("%d:%02d", m, s);
    }
}

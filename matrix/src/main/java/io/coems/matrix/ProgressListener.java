package io.coems.matrix;

/** Told how far a long operation (rebuild, scrub) has come. Called from the worker thread. */
@FunctionalInterface
public interface ProgressListener {
    /** A listener that ignores progress. */
    ProgressListener NONE = (done, total) -> { };

    /** {@code done} of {@code total} units (stripes) are finished. */
    void progress(long done, long total);
}

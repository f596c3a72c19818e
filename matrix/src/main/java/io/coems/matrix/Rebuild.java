package io.coems.matrix;

import java.util.concurrent.CompletableFuture;

/**
 * A rebuild onto a replacement device, running in the background while I/O goes on.
 * Stripes below the rebuild cursor are already redundant again.
 */
public interface Rebuild {
    /** The space being rebuilt. */
    int lbs();

    /** The member slot being rebuilt. */
    int member();

    /** Fraction done, from 0.0 to 1.0. */
    double progress();

    /**
     * Completes when the member is online again; completes exceptionally with the
     * {@link MatrixException} that stopped the rebuild (the member is then failed again).
     */
    CompletableFuture<Void> completion();

    /**
     * Waits for the rebuild to finish.
     *
     * @throws MatrixException the failure that stopped it
     */
    default void await() {
        try {
            completion().join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof MatrixException m) {
                throw m;
            }
            throw e;
        }
    }
}

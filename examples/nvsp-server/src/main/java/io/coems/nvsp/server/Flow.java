package io.coems.nvsp.server;

import java.util.ArrayDeque;

/**
 * A session's place in the {@link Scheduler}: its queue of requests waiting for a worker and its
 * deficit-round-robin state. Guarded by the scheduler's lock.
 */
final class Flow {
    final ClientState client;
    final ArrayDeque<Job> queue = new ArrayDeque<>();
    /** Bytes the flow may still be served in its current turn. */
    long deficit;
    /** Whether the flow is in the scheduler's round. */
    boolean active;
    /** Whether its turn has begun (its quantum added). */
    boolean inTurn;

    /**
     * Creates an idle flow.
     *
     * @param client whose weight and caps apply
     */
    Flow(ClientState client) {
        this.client = client;
    }
}

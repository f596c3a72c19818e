package io.coems.vvm;

/**
 * Told of every change in a pool, on the thread that made it, in the order the changes were
 * made. It should return quickly; what it throws is logged and does not undo the change.
 */
@FunctionalInterface
public interface PoolListener {
    /** {@code event} has happened and is durable. */
    void changed(PoolEvent event);
}

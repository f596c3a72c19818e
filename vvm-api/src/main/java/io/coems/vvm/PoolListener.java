package io.coems.vvm;

/**
 * Told of every change in a pool, on the thread that made it, in the order the changes were
 * made, while the pool's configuration lock is held: it should return quickly (other changes
 * wait for it), and may read the pool but should leave changes to another thread. What it
 * throws is logged and does not undo the change.
 */
@FunctionalInterface
public interface PoolListener {
    /** {@code event} has happened and is durable. */
    void changed(PoolEvent event);
}

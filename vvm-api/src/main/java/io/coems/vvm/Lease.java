package io.coems.vvm;

import java.time.Duration;

/**
 * The management lease: while it is held, configuration changes (create, delete, snapshot,
 * revert, clone, resize, rename, clients) are accepted only from its holder, inside
 * {@link VolumePool#withLease(long, java.util.function.Supplier)} with its fencing token. Every
 * such change renews it; it lapses after {@code idleTimeout} without one. Tokens only grow,
 * across restarts too, so a front-end that lost its lease is refused even after a new holder
 * has come and gone.
 *
 * @param token       the fencing token, carried by every change made under the lease
 * @param holder      who holds it, for messages (a host name, a session)
 * @param idleTimeout how long it lasts without a change
 */
public record Lease(long token, String holder, Duration idleTimeout) {
}

package io.coems.nvsp.client;

import java.time.Instant;

/**
 * The management lease this client holds.
 *
 * @param token the fencing token every management request carries
 * @param expiresAtEpochMillis when the lease expires unless renewed, in epoch milliseconds
 */
public record RemoteLease(long token, long expiresAtEpochMillis) {
    /**
     * Returns when the lease expires unless renewed.
     *
     * @return the expiry as an instant
     */
    public Instant expiresAt() {
        return Instant.ofEpochMilli(expiresAtEpochMillis);
    }
}

package io.coems.vvm;

/**
 * A change in the pool, told to {@link PoolListener}s once it is durable.
 *
 * @param kind what happened
 * @param id   the id of the volume, snapshot or client it happened to (0 for {@link Kind#LOW_SPACE})
 * @param name its name at the time (for {@link Kind#LOW_SPACE}: the free bytes, in decimal)
 */
public record PoolEvent(Kind kind, long id, String name) {
    /** What happened. */
    public enum Kind {
        /** A volume was created or cloned. */
        VOLUME_CREATED,
        /** A volume was renamed, resized, set read-only, given attributes, assigned or reverted. */
        VOLUME_CHANGED,
        /** A volume was deleted with its snapshots. */
        VOLUME_DELETED,
        /** A snapshot was taken. */
        SNAPSHOT_CREATED,
        /** A snapshot was deleted. */
        SNAPSHOT_DELETED,
        /** A client was registered. */
        CLIENT_REGISTERED,
        /** A client was updated. */
        CLIENT_CHANGED,
        /** A client was removed. */
        CLIENT_REMOVED,
        /** Free space fell below the threshold set with {@link VolumePool#lowSpaceThreshold(long)}. */
        LOW_SPACE
    }
}

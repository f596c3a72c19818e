package io.coems.matrix;

/** The state of one member device inside its Logical Block Space. */
public enum MemberState {
    /** In sync and used for reads and writes. */
    ONLINE,
    /** Failed, missing or stale: not used; {@link StorageMatrix#replace} puts a new device in its place. */
    FAILED,
    /** A replacement being rebuilt: in sync below its rebuild cursor, ignored above it. */
    REBUILDING
}

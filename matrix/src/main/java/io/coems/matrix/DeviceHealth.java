package io.coems.matrix;

/** The health of one {@link BlockDevice}. */
public enum DeviceHealth {
    /** Answers reads and writes. */
    ONLINE,
    /** Failed: every access throws {@link MatrixIoException}. */
    FAILED
}

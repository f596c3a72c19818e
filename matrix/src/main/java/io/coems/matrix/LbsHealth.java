package io.coems.matrix;

/** The health of a Logical Block Space. */
public enum LbsHealth {
    /** Every member online. */
    OPTIMAL,
    /** Some members failed or rebuilding, but every block can still be read and written. */
    DEGRADED,
    /** More members failed than the mode tolerates: some blocks cannot be read. */
    FAILED
}

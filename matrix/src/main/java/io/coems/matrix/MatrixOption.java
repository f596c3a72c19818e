package io.coems.matrix;

/** Options of {@link StorageMatrix#create} and {@link StorageMatrix#open}. */
public enum MatrixOption {
    /**
     * create, addLbs, replace: use devices even if they already carry a COEMS label; their data
     * is lost.
     */
    OVERWRITE,
    /**
     * open: assemble a parity space that is both dirty (interrupted writes) and degraded, as
     * md's {@code --force}. Blocks in the interrupted stripes may be reconstructed wrongly.
     */
    FORCE
}

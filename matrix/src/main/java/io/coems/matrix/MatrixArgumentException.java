package io.coems.matrix;

/**
 * A caller passed something the matrix refuses: a block number, offset or length out of
 * range, a buffer of the wrong size, devices too small or of unequal size for a mode, a
 * capacity beyond 64 TiB. Nothing was written.
 */
public class MatrixArgumentException extends MatrixException {
    /** An exception whose message names the offending value. */
    public MatrixArgumentException(String message) {
        super(message);
    }
}

package io.coems.matrix;

/** The device, Logical Block Space or matrix was closed before or during the call. */
public class MatrixClosedException extends MatrixException {
    /** An exception naming what was closed. */
    public MatrixClosedException(String message) {
        super(message);
    }
}

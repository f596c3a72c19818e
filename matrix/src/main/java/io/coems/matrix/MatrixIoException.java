package io.coems.matrix;

/** A device failed to read, write or flush. The message names the device and the block. */
public class MatrixIoException extends MatrixException {
    /** An exception naming the device and the block. */
    public MatrixIoException(String message) {
        super(message);
    }

    /** An exception naming the device and the block, with the underlying failure. */
    public MatrixIoException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.coems.matrix;

/**
 * The base of every exception the Storage Matrix throws. Unchecked; a caller that wants to act
 * catches one of the subclasses.
 */
public class MatrixException extends RuntimeException {
    /** An exception with a message that names the offending value or object. */
    public MatrixException(String message) {
        super(message);
    }

    /** An exception with a message and the cause that led to it. */
    public MatrixException(String message, Throwable cause) {
        super(message, cause);
    }
}

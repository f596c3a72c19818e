package io.coems.matrix;

/**
 * The devices given to {@link StorageMatrix#open} do not form a matrix: a device is foreign
 * (no valid label, or another matrix's), a member appears twice, a member of a
 * non-redundant Logical Block Space or a whole space is missing, or a dirty parity space is
 * degraded and opening was not forced. The message names the path. Nothing was written.
 */
public class MatrixAssemblyException extends MatrixException {
    /** An exception naming the device path or the missing member. */
    public MatrixAssemblyException(String message) {
        super(message);
    }
}

package io.coems.matrix;

/**
 * Creating a device or a matrix would overwrite a path or device that already holds data.
 * Pass the overwrite option to replace it deliberately.
 */
public class DeviceNotEmptyException extends MatrixException {
    /** An exception naming the path. */
    public DeviceNotEmptyException(String message) {
        super(message);
    }
}

package io.coems.nvsp;

/** A frame carries a protocol version this codec does not implement. */
public class UnsupportedVersionException extends NvspException {
    private static final long serialVersionUID = 1L;

    /** The unsupported version. */
    private final int version;

    /**
     * Creates the exception.
     *
     * @param version the version found in the frame
     */
    public UnsupportedVersionException(int version) {
        super("unsupported protocol version " + version, Status.UNSUPPORTED_VERSION);
        this.version = version;
    }

    /**
     * Returns the version found in the frame.
     *
     * @return the unsupported version
     */
    public int version() {
        return version;
    }
}

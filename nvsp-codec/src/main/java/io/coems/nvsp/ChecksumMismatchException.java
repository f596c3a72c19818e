package io.coems.nvsp;

/**
 * The data of a reassembled message does not match the CRC-32C it carries: the data must not be
 * applied. Answered with {@link Status#EIO}.
 */
public class ChecksumMismatchException extends NvspException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param expected the checksum carried by the message
     * @param actual the checksum computed over the data
     */
    public ChecksumMismatchException(int expected, int actual) {
        super("data checksum 0x" + Integer.toHexString(actual) + " does not match 0x"
                + Integer.toHexString(expected), Status.EIO);
    }
}

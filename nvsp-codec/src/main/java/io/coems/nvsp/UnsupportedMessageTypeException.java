package io.coems.nvsp;

/**
 * A message carries a type code this codec does not know. The session stays up: a server
 * answers the request with an error response of status {@link Status#ENOTSUP}.
 */
public class UnsupportedMessageTypeException extends NvspException {
    private static final long serialVersionUID = 1L;

    /** The unknown type code. */
    private final int typeCode;

    /**
     * Creates the exception.
     *
     * @param typeCode the unknown type code (unsigned 16 bits)
     */
    public UnsupportedMessageTypeException(int typeCode) {
        super("unknown message type 0x" + Integer.toHexString(typeCode), Status.ENOTSUP);
        this.typeCode = typeCode;
    }

    /**
     * Returns the unknown type code.
     *
     * @return the type code, 0 to 65535
     */
    public int typeCode() {
        return typeCode;
    }
}

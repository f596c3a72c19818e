package io.coems.nvsp;

/**
 * A datagram or message does not follow the wire format: it is truncated, a length or count is
 * out of range, or a field holds a value the format forbids. Names the field and the byte offset
 * (from the start of the wrapped buffer region) where decoding stopped.
 */
public class MalformedMessageException extends NvspException {
    private static final long serialVersionUID = 1L;

    /** The name of the malformed field. */
    private final String field;
    /** The offset of the malformed field. */
    private final long offset;

    /**
     * Creates the exception.
     *
     * @param field the name of the field that is malformed
     * @param offset the offset of that field from the start of the wrapped region
     * @param reason what is wrong with it
     */
    public MalformedMessageException(String field, long offset, String reason) {
        super(field + " at offset " + offset + ": " + reason, Status.EINVAL);
        this.field = field;
        this.offset = offset;
    }

    /**
     * Returns the name of the malformed field.
     *
     * @return the field name as used in the specification
     */
    public String field() {
        return field;
    }

    /**
     * Returns the offset of the malformed field.
     *
     * @return the offset in bytes from the start of the wrapped region
     */
    public long offset() {
        return offset;
    }
}

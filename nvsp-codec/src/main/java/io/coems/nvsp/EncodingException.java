package io.coems.nvsp;

/**
 * An encoder was asked to write something the format cannot hold: a value out of its field's
 * range, or more bytes than the wrapped buffer region has room for. A programming error of the
 * caller, never caused by received data.
 */
public class EncodingException extends NvspException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param field the field being written
     * @param reason what is wrong
     */
    public EncodingException(String field, String reason) {
        super(field + ": " + reason, Status.EINVAL);
    }
}

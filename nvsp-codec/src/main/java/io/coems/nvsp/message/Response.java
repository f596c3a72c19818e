package io.coems.nvsp.message;

import io.coems.nvsp.Status;

/**
 * The base of every response body: its block starts with the status.
 *
 * <pre>
 * +---------------------------------------------------------------+
 * |                         status (32)                           |  block + 0
 * +---------------------------------------------------------------+
 * |                 fields of the response type ...               |  block + 4
 * </pre>
 *
 * @param <M> the concrete flyweight
 */
public abstract class Response<M extends Response<M>> extends Message<M> {
    private static final int STATUS_AT = BLOCK;

    /**
     * Creates an unwrapped response flyweight.
     *
     * @param layout the layout of the concrete response
     */
    protected Response(Layout layout) {
        super(layout);
    }

    /**
     * Creates an unwrapped response flyweight whose variable data is a {@link Payload}.
     *
     * @param layout the layout of the concrete response
     * @param payload the view of the data
     */
    protected Response(Layout layout, Payload payload) {
        super(layout, payload);
    }

    /**
     * Returns the status.
     *
     * @return the status, {@link Status#UNKNOWN} for a code this codec does not know
     */
    public final Status status() {
        return Status.of(statusCode());
    }

    /**
     * Returns the status as sent.
     *
     * @return the unsigned 32-bit status code
     */
    public final long statusCode() {
        return u32(STATUS_AT, "status");
    }

    /**
     * Sets the status.
     *
     * @param status a wire status (not {@link Status#UNKNOWN} or {@link Status#DROP})
     * @return this flyweight
     */
    public final M status(Status status) {
        putU32(STATUS_AT, status.code(), "status");
        return self();
    }

    @Override
    protected void describe(StringBuilder description) {
        description.append(" status=").append(status());
    }
}

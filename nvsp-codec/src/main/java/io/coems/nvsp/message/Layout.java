package io.coems.nvsp.message;

/**
 * The body layouts of version 1, each decoded by one flyweight class. Several message types
 * share a layout (every block request, every management request). The block length given here
 * is the version-1 size of the fixed block; a receiver accepts longer blocks (fields appended by
 * later versions) and skips what it does not know.
 */
public enum Layout {
    /** No body beyond the message header: decoded by {@link MessageHeader}. */
    EMPTY(0),
    /** A status only: {@link StatusResponse}. */
    STATUS(StatusResponse.BLOCK_LENGTH),
    /** {@link Hello}. */
    HELLO(Hello.BLOCK_LENGTH),
    /** {@link Cookie}. */
    COOKIE(Cookie.BLOCK_LENGTH),
    /** {@link Authenticate}. */
    AUTHENTICATE(Authenticate.BLOCK_LENGTH),
    /** {@link Accept}. */
    ACCEPT(Accept.BLOCK_LENGTH),
    /** {@link Nack}. */
    NACK(Nack.BLOCK_LENGTH),
    /** {@link BlockRequest}. */
    BLOCK(BlockRequest.BLOCK_LENGTH),
    /** {@link WriteRequest}. */
    WRITE(WriteRequest.BLOCK_LENGTH),
    /** {@link ReadResponse}. */
    DATA(ReadResponse.BLOCK_LENGTH),
    /** {@link BlockStatusResponse}. */
    EXTENTS(BlockStatusResponse.BLOCK_LENGTH),
    /** {@link ManagementRequest}. */
    MANAGEMENT(ManagementRequest.BLOCK_LENGTH),
    /** {@link ManagementResponse}. */
    MANAGEMENT_RESULT(ManagementResponse.BLOCK_LENGTH);

    private final int blockLength;

    Layout(int blockLength) {
        this.blockLength = blockLength;
    }

    /**
     * Returns the size of the version-1 fixed block.
     *
     * @return the block length in bytes
     */
    public int blockLength() {
        return blockLength;
    }
}

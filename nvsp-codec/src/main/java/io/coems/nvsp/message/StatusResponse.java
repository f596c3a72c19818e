package io.coems.nvsp.message;

/**
 * A response that carries a status only (layout {@link Layout#STATUS}): {@code ERROR}, the
 * answers to writes, flushes, trims, write-zeroes and keep-alives, and {@code CLOSE} with its
 * reason.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------+-------------------------------+
 * |             type              |        blockLength = 4        |  0
 * +-------------------------------+-------------------------------+
 * |                            status                             |  4
 * +---------------------------------------------------------------+
 * </pre>
 */
public final class StatusResponse extends Response<StatusResponse> {
    /** Size of the version-1 block. */
    public static final int BLOCK_LENGTH = 4;

    /** Creates an unwrapped flyweight. */
    public StatusResponse() {
        super(Layout.STATUS);
    }
}

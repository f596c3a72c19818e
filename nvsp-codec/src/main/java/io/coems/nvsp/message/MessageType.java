package io.coems.nvsp.message;

import io.coems.nvsp.UnsupportedMessageTypeException;

/**
 * Every message type of version 1 with its 16-bit code and body layout.
 *
 * <p>Codes: {@code 0x00xx} session, {@code 0x01xx} block I/O, {@code 0x02xx} management. A
 * response has the code of its request with bit 15 set. {@link #ERROR} ({@code 0x8000}) may answer
 * any request, for example one of a type the server does not know. Codes are never reused: a
 * later version only adds types.
 */
public enum MessageType {
    /** Answers any request with a non-OK status and no other content. */
    ERROR(0x8000, Layout.STATUS),
    /** Client opens a handshake: versions, datagram size, protection mode, client nonce. */
    HELLO(0x0001, Layout.HELLO),
    /** Server answers HELLO with the chosen version and a stateless cookie. */
    COOKIE(0x8001, Layout.COOKIE),
    /** Client echoes the cookie and proves it holds the pre-shared key. */
    AUTHENTICATE(0x0002, Layout.AUTHENTICATE),
    /** Server creates the session and proves it holds the pre-shared key. */
    ACCEPT(0x8002, Layout.ACCEPT),
    /** Keeps an idle session alive. */
    KEEPALIVE(0x0003, Layout.EMPTY),
    /** Answers KEEPALIVE. */
    KEEPALIVE_RESPONSE(0x8003, Layout.STATUS),
    /** Ends the session; the status is the reason. */
    CLOSE(0x0004, Layout.STATUS),
    /** Answers CLOSE. */
    CLOSE_RESPONSE(0x8004, Layout.STATUS),
    /** Names the missing fragments of a message; never answered. */
    NACK(0x0005, Layout.NACK),
    /** Reads a byte range of a volume. */
    READ(0x0101, Layout.BLOCK),
    /** Answers READ with the data. */
    READ_RESPONSE(0x8101, Layout.DATA),
    /** Writes a byte range of a volume; flag {@link WriteRequest#FLAG_FUA} forces unit access. */
    WRITE(0x0102, Layout.WRITE),
    /** Answers WRITE. */
    WRITE_RESPONSE(0x8102, Layout.STATUS),
    /** Makes every completed write of the range durable; offset 0 and length 0: whole volume. */
    FLUSH(0x0103, Layout.BLOCK),
    /** Answers FLUSH. */
    FLUSH_RESPONSE(0x8103, Layout.STATUS),
    /** Tells the server a byte range is no longer needed. */
    TRIM(0x0104, Layout.BLOCK),
    /** Answers TRIM. */
    TRIM_RESPONSE(0x8104, Layout.STATUS),
    /** Writes zeros over a byte range without sending them. */
    WRITE_ZEROES(0x0105, Layout.BLOCK),
    /** Answers WRITE_ZEROES. */
    WRITE_ZEROES_RESPONSE(0x8105, Layout.STATUS),
    /** Asks which parts of a byte range are allocated. */
    BLOCK_STATUS(0x0106, Layout.BLOCK),
    /** Answers BLOCK_STATUS with extents. */
    BLOCK_STATUS_RESPONSE(0x8106, Layout.EXTENTS),
    /** Lists volumes, paged by cursor. */
    LIST_VOLUMES(0x0201, Layout.MANAGEMENT),
    /** Answers LIST_VOLUMES. */
    LIST_VOLUMES_RESPONSE(0x8201, Layout.MANAGEMENT_RESULT),
    /** Creates a volume. */
    CREATE_VOLUME(0x0202, Layout.MANAGEMENT),
    /** Answers CREATE_VOLUME with the new volume id. */
    CREATE_VOLUME_RESPONSE(0x8202, Layout.MANAGEMENT_RESULT),
    /** Deletes a volume. */
    DELETE_VOLUME(0x0203, Layout.MANAGEMENT),
    /** Answers DELETE_VOLUME. */
    DELETE_VOLUME_RESPONSE(0x8203, Layout.MANAGEMENT_RESULT),
    /** Changes the size of a volume. */
    RESIZE_VOLUME(0x0204, Layout.MANAGEMENT),
    /** Answers RESIZE_VOLUME. */
    RESIZE_VOLUME_RESPONSE(0x8204, Layout.MANAGEMENT_RESULT),
    /** Takes a snapshot of a volume. */
    SNAPSHOT(0x0205, Layout.MANAGEMENT),
    /** Answers SNAPSHOT with the new snapshot id. */
    SNAPSHOT_RESPONSE(0x8205, Layout.MANAGEMENT_RESULT),
    /** Lists the snapshots of a volume, paged by cursor. */
    LIST_HISTORY(0x0206, Layout.MANAGEMENT),
    /** Answers LIST_HISTORY. */
    LIST_HISTORY_RESPONSE(0x8206, Layout.MANAGEMENT_RESULT),
    /** Reverts a volume to a snapshot. */
    REVERT(0x0207, Layout.MANAGEMENT),
    /** Answers REVERT. */
    REVERT_RESPONSE(0x8207, Layout.MANAGEMENT_RESULT),
    /** Creates a volume from a snapshot. */
    CLONE(0x0208, Layout.MANAGEMENT),
    /** Answers CLONE with the new volume id. */
    CLONE_RESPONSE(0x8208, Layout.MANAGEMENT_RESULT),
    /** Deletes a snapshot. */
    DELETE_SNAPSHOT(0x0209, Layout.MANAGEMENT),
    /** Answers DELETE_SNAPSHOT. */
    DELETE_SNAPSHOT_RESPONSE(0x8209, Layout.MANAGEMENT_RESULT),
    /** Registers a client with its name and pre-shared key. */
    REGISTER_CLIENT(0x020A, Layout.MANAGEMENT),
    /** Answers REGISTER_CLIENT with the new client id. */
    REGISTER_CLIENT_RESPONSE(0x820A, Layout.MANAGEMENT_RESULT),
    /** Lists clients, paged by cursor. */
    LIST_CLIENTS(0x020B, Layout.MANAGEMENT),
    /** Answers LIST_CLIENTS. */
    LIST_CLIENTS_RESPONSE(0x820B, Layout.MANAGEMENT_RESULT),
    /** Removes a client. */
    REMOVE_CLIENT(0x020C, Layout.MANAGEMENT),
    /** Answers REMOVE_CLIENT. */
    REMOVE_CLIENT_RESPONSE(0x820C, Layout.MANAGEMENT_RESULT),
    /** Assigns a volume to a client. */
    ASSIGN_VOLUME(0x020D, Layout.MANAGEMENT),
    /** Answers ASSIGN_VOLUME. */
    ASSIGN_VOLUME_RESPONSE(0x820D, Layout.MANAGEMENT_RESULT),
    /** Acquires the management lease for a duration. */
    ACQUIRE_LEASE(0x020E, Layout.MANAGEMENT),
    /** Answers ACQUIRE_LEASE with the fencing token and the expiry. */
    ACQUIRE_LEASE_RESPONSE(0x820E, Layout.MANAGEMENT_RESULT),
    /** Extends the management lease. */
    RENEW_LEASE(0x020F, Layout.MANAGEMENT),
    /** Answers RENEW_LEASE with the new expiry. */
    RENEW_LEASE_RESPONSE(0x820F, Layout.MANAGEMENT_RESULT),
    /** Gives the management lease up. */
    RELEASE_LEASE(0x0210, Layout.MANAGEMENT),
    /** Answers RELEASE_LEASE. */
    RELEASE_LEASE_RESPONSE(0x8210, Layout.MANAGEMENT_RESULT);

    private static final MessageType[] ALL = values();

    private final int code;
    private final Layout layout;

    MessageType(int code, Layout layout) {
        this.code = code;
        this.layout = layout;
    }

    /**
     * Returns the wire code.
     *
     * @return the unsigned 16-bit code
     */
    public int code() {
        return code;
    }

    /**
     * Returns the body layout.
     *
     * @return the layout, naming the flyweight that decodes this type
     */
    public Layout layout() {
        return layout;
    }

    /**
     * Tells whether this type is a response.
     *
     * @return true when bit 15 of the code is set
     */
    public boolean isResponse() {
        return (code & 0x8000) != 0;
    }

    /**
     * Maps a wire code to its type without allocating.
     *
     * @param code the unsigned 16-bit code
     * @return the type
     * @throws UnsupportedMessageTypeException if the code is not a version-1 type
     */
    public static MessageType of(int code) {
        for (MessageType type : ALL) {
            if (type.code == code) {
                return type;
            }
        }
        throw new UnsupportedMessageTypeException(code);
    }
}

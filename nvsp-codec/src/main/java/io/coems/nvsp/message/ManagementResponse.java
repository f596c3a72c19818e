package io.coems.nvsp.message;

/**
 * Every management response (type {@code 0x82xx}): the status, a result id (the new volume,
 * snapshot or client id; the fencing token in ACQUIRE_LEASE_RESPONSE), a result value (the
 * lease expiry in epoch milliseconds for the lease responses, the cursor of the next page for
 * the lists, 0 when the list is complete) and, for the lists, entries.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------+-------------------------------+
 * |      type = 0x8201..0x8210    |       blockLength = 24        |  0
 * +-------------------------------+-------------------------------+
 * |                            status                             |  4
 * +-------------------------------+-------------------------------+
 * |       entryLength = 32        |          entryCount           |  8
 * +-------------------------------+-------------------------------+
 * |                         resultId (64)                         | 12
 * +---------------------------------------------------------------+
 * |                        resultValue (64)                       | 20
 * +---------------------------------------------------------------+
 * entry (repeated entryCount times, at 28 + i * entryLength):
 * +---------------------------------------------------------------+
 * |                            id (64)                            | +0
 * +---------------------------------------------------------------+
 * |                           size (64)                           | +8
 * +---------------------------------------------------------------+
 * |                          parent (64)                          | +16
 * +---------------------------------------------------------------+
 * |                          time (64)                            | +24
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Entries: LIST_VOLUMES gives volume id, size in bytes, the snapshot it was cloned from (or
 * 0) and creation time; LIST_HISTORY gives snapshot id, size, parent snapshot and creation time;
 * LIST_CLIENTS gives client id, 0, the assigned volume (or 0) and registration time. Times are
 * epoch milliseconds.
 */
public final class ManagementResponse extends EntryList<ManagementResponse> {
    /** Size of the version-1 block. */
    public static final int BLOCK_LENGTH = 24;
    /** Size of a version-1 entry. */
    public static final int ENTRY_LENGTH = 32;

    private static final int RESULT_ID_AT = BLOCK + 8;
    private static final int RESULT_VALUE_AT = BLOCK + 16;

    /** Creates an unwrapped flyweight. */
    public ManagementResponse() {
        super(Layout.MANAGEMENT_RESULT, ENTRY_LENGTH);
    }

    /**
     * Returns the id the operation produced.
     *
     * @return the id, 0 when none
     */
    public long resultId() {
        return u64(RESULT_ID_AT, "resultId");
    }

    /**
     * Sets the id the operation produced.
     *
     * @param id the new volume, snapshot or client id, or the fencing token
     * @return this flyweight
     */
    public ManagementResponse resultId(long id) {
        putU64(RESULT_ID_AT, id, "resultId");
        return this;
    }

    /**
     * Returns the lease expiry or the next page's cursor.
     *
     * @return the value, unsigned
     */
    public long resultValue() {
        return u64(RESULT_VALUE_AT, "resultValue");
    }

    /**
     * Sets the lease expiry or the next page's cursor.
     *
     * @param value the value, unsigned
     * @return this flyweight
     */
    public ManagementResponse resultValue(long value) {
        putU64(RESULT_VALUE_AT, value, "resultValue");
        return this;
    }

    /**
     * Returns the id of an entry.
     *
     * @param index the entry index
     * @return the volume, snapshot or client id
     */
    public long entryId(int index) {
        return u64(entryAt(index), "entryId");
    }

    /**
     * Returns the size of an entry.
     *
     * @param index the entry index
     * @return the size in bytes
     */
    public long entrySize(int index) {
        return u64(entryAt(index) + 8, "entrySize");
    }

    /**
     * Returns the parent of an entry.
     *
     * @param index the entry index
     * @return the origin snapshot, parent snapshot or assigned volume, 0 when none
     */
    public long entryParent(int index) {
        return u64(entryAt(index) + 16, "entryParent");
    }

    /**
     * Returns the time of an entry.
     *
     * @param index the entry index
     * @return epoch milliseconds
     */
    public long entryTime(int index) {
        return u64(entryAt(index) + 24, "entryTime");
    }

    /**
     * Appends an entry.
     *
     * @param id the volume, snapshot or client id
     * @param size the size in bytes
     * @param parent the origin snapshot, parent snapshot or assigned volume
     * @param time epoch milliseconds
     * @return this flyweight
     */
    public ManagementResponse addEntry(long id, long size, long parent, long time) {
        int at = appendEntry();
        putU64(at, id, "entryId");
        putU64(at + 8, size, "entrySize");
        putU64(at + 16, parent, "entryParent");
        putU64(at + 24, time, "entryTime");
        return this;
    }

    @Override
    protected void describe(StringBuilder description) {
        super.describe(description);
        description.append(" resultId=").append(Long.toUnsignedString(resultId()))
                .append(" resultValue=").append(Long.toUnsignedString(resultValue()));
        for (int i = 0; i < entryCount(); i++) {
            description.append(" [id=").append(Long.toUnsignedString(entryId(i)))
                    .append(" size=").append(Long.toUnsignedString(entrySize(i)))
                    .append(" parent=").append(Long.toUnsignedString(entryParent(i)))
                    .append(" time=").append(entryTime(i)).append(']');
        }
    }
}

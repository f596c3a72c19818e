package io.coems.nvsp.message;

import io.coems.nvsp.MalformedMessageException;

/**
 * The base of responses that carry a list of fixed-size entries after their block. Like the
 * block, an entry only grows in later versions: {@code entryLength} is the size the sender
 * wrote, and a reader skips the fields it does not know.
 *
 * <pre>
 * +---------------------------------------------------------------+
 * |                            status                             |  block + 0
 * +-------------------------------+-------------------------------+
 * |          entryLength          |          entryCount           |  block + 4
 * +-------------------------------+-------------------------------+
 * |                fields of the response type ...                |  block + 8
 * +---------------------------------------------------------------+
 * |        entryCount entries of entryLength bytes each ...       |  4 + blockLength
 * +---------------------------------------------------------------+
 * </pre>
 *
 * @param <M> the concrete flyweight
 */
public abstract class EntryList<M extends EntryList<M>> extends Response<M> {
    private static final int ENTRY_LENGTH_AT = BLOCK + 4;
    private static final int ENTRY_COUNT_AT = BLOCK + 6;

    private final int minEntryLength;

    /**
     * Creates an unwrapped flyweight.
     *
     * @param layout the layout of the concrete response
     * @param entryLength the size of a version-1 entry
     */
    protected EntryList(Layout layout, int entryLength) {
        super(layout);
        this.minEntryLength = entryLength;
    }

    /**
     * Returns the number of entries.
     *
     * @return the count, 0 to 65535
     */
    public final int entryCount() {
        return u16(ENTRY_COUNT_AT, "entryCount");
    }

    /**
     * Returns the size of each entry as the sender wrote it.
     *
     * @return the entry length in bytes
     */
    public final int entryLength() {
        return u16(ENTRY_LENGTH_AT, "entryLength");
    }

    @Override
    protected final void validate() {
        if (entryLength() < minEntryLength) {
            throw new MalformedMessageException("entryLength", offset() + ENTRY_LENGTH_AT,
                    entryLength() + " is below " + minEntryLength);
        }
    }

    @Override
    protected final void startEncoding() {
        putU16(ENTRY_LENGTH_AT, minEntryLength, "entryLength");
    }

    @Override
    protected final long variableLength() {
        return (long) entryLength() * entryCount();
    }

    /**
     * Returns where an entry starts in the message.
     *
     * @param index the entry index
     * @return the offset in the message
     * @throws MalformedMessageException if there is no such entry
     */
    protected final int entryAt(int index) {
        if (index < 0 || index >= entryCount()) {
            throw new MalformedMessageException("entries", offset() + variableOffset(),
                    "entry " + index + " of " + entryCount());
        }
        return variableOffset() + index * entryLength();
    }

    /**
     * Appends a zeroed entry.
     *
     * @return where it starts in the message
     */
    protected final int appendEntry() {
        int count = entryCount();
        int at = variableOffset() + count * entryLength();
        zero(at, entryLength(), "entries");
        putU16(ENTRY_COUNT_AT, count + 1, "entryCount");
        return at;
    }

    @Override
    protected void describe(StringBuilder description) {
        super.describe(description);
        description.append(" entries=").append(entryCount());
    }
}

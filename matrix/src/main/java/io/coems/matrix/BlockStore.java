package io.coems.matrix;

import java.lang.foreign.MemorySegment;

/**
 * Something that stores 64 KiB blocks: a device, a Logical Block Space or the whole Storage
 * Matrix. An access names a block and a byte offset inside it; its length is the size of the
 * segment and may run on into the following blocks, so one call can move a whole stripe.
 *
 * <p>Implementations are thread-safe. Concurrent writes to the same bytes leave one of them;
 * a read concurrent with a write of the same bytes may see either.
 */
public interface BlockStore {

    /** Number of blocks; valid block numbers are {@code 0..blockCount()-1}. */
    long blockCount();

    /**
     * Fills {@code dst} with the bytes that start at byte {@code offset} of {@code block}.
     *
     * @throws MatrixArgumentException if the range does not lie inside the store, or {@code dst}
     *                                 is null, read-only or of a closed arena
     * @throws MatrixIoException if the data cannot be read
     * @throws MatrixClosedException if the store is closed
     */
    void read(long block, int offset, MemorySegment dst);

    /**
     * Writes all of {@code src} starting at byte {@code offset} of {@code block}. The data is
     * durable once a later {@link #flush()} returns.
     *
     * @throws MatrixArgumentException if the range does not lie inside the store, or {@code src} is
     *                                 null or of a closed arena; nothing is written
     * @throws MatrixIoException if the data cannot be written
     * @throws MatrixClosedException if the store is closed
     */
    void write(long block, int offset, MemorySegment src);

    /**
     * Makes every write that returned before this call durable: it survives a power cut.
     *
     * @throws MatrixIoException if the media cannot confirm it
     * @throws MatrixClosedException if the store is closed
     */
    void flush();
}

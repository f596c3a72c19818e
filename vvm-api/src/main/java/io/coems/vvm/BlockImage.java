package io.coems.vvm;

import io.coems.matrix.ProgressListener;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * What a volume and a snapshot have in common: a readable image of bytes, never-written
 * ranges reading as zeros. Thread-safe.
 */
public sealed interface BlockImage permits Volume, Snapshot {
    /** The id, unique in the pool and never reused. */
    long id();

    /** The name. */
    String name();

    /** The size in bytes. */
    long size();

    /**
     * Reads {@code dst.byteSize()} bytes at byte {@code offset}.
     *
     * @throws PoolArgumentException if the range is not inside the image, or {@code dst} is null,
     *                               read-only, of a closed arena or confined to another thread
     * @throws PoolNotFoundException if the image was deleted
     */
    void read(long offset, MemorySegment dst);

    /** Reads {@code dst.length} bytes at byte {@code offset}; see {@link #read(long, MemorySegment)}. */
    default void read(long offset, byte[] dst) {
        read(offset, Segments.of(dst, "the destination array"));
    }

    /**
     * Reads {@code length} bytes at byte {@code offset} into {@code dst} from {@code dstOffset}.
     *
     * @throws PoolArgumentException if {@code dstOffset} and {@code length} are not inside {@code dst}
     */
    default void read(long offset, byte[] dst, int dstOffset, int length) {
        read(offset, Segments.of(dst, dstOffset, length, "the destination array"));
    }

    /**
     * Reads {@code dst.remaining()} bytes at byte {@code offset} into {@code dst} from its
     * position, which advances to its limit.
     */
    default void read(long offset, ByteBuffer dst) {
        MemorySegment segment = Segments.of(dst, "the destination buffer");
        if (dst.isReadOnly()) {
            throw new PoolArgumentException("the destination buffer is read-only");
        }
        read(offset, segment);
        dst.position(dst.limit());
    }

    /** The space it takes, exact at the moment of the call. */
    VolumeSpace space();

    /** The byte ranges that were ever written and not discarded since (the rest reads as zeros). */
    List<Extent> mapped();

    /**
     * Writes the image to a raw file of {@link #size()} bytes, streamed; ranges that hold only
     * zeros are left as holes of a sparse file. {@code progress} is told the bytes done of the
     * total as it goes. If it fails, {@code file} is left as before (absent, or empty), ready for a retry.
     *
     * @throws PoolIoException if the file cannot be written
     * @throws PoolArgumentException if {@code file} or {@code progress} is null, or {@code file}
     *                               exists and is not empty
     */
    void exportTo(Path file, ProgressListener progress);
}

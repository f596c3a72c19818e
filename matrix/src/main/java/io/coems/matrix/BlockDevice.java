package io.coems.matrix;

/**
 * One physical or simulated device: the member of a Logical Block Space. A device knows its
 * name (its path, for files), its size in whole 64 KiB blocks and its health; closing it
 * releases its memory deterministically.
 */
public interface BlockDevice extends BlockStore, AutoCloseable {

    /** A name a person recognises: the file path for file devices. */
    String name();

    /** Whether the device still answers I/O. */
    DeviceHealth health();

    /** Releases the device; later I/O fails with {@link MatrixClosedException}. Idempotent. */
    @Override
    void close();
}

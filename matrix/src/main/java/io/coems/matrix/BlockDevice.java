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

    /**
     * Whether every byte is known to read as zero: true for a device created empty and not
     * written since. A new redundant space over blank devices needs no initial parity resync;
     * over any other device it computes its parity (or mirrors) once when it is created.
     */
    default boolean isBlank() {
        return false;
    }

    /** Releases the device; later I/O fails with {@link MatrixClosedException}. Idempotent. */
    @Override
    void close();
}

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

    /**
     * Direct access to {@code blocks} blocks of the device's memory from {@code block}, for the
     * parity engine's full-stripe writes: writing through the view writes the device (durable
     * after {@link #flush()}), or null if the device has no such memory (the default). The view
     * is valid until the device is closed.
     *
     * @throws MatrixArgumentException if the blocks do not lie inside the device
     */
    default java.lang.foreign.MemorySegment window(long block, long blocks) {
        return null;
    }

    /** Releases the device; later I/O fails with {@link MatrixClosedException}. Idempotent. */
    @Override
    void close();
}

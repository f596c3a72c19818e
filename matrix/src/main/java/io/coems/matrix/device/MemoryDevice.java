package io.coems.matrix.device;

import io.coems.matrix.BlockDevice;
import io.coems.matrix.Blocks;
import io.coems.matrix.DeviceHealth;
import io.coems.matrix.MatrixArgumentException;
import io.coems.matrix.MatrixClosedException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A device held in off-heap memory: for tests and for ephemeral pools. Its content is lost on
 * {@link #close()}, which frees the memory at once; {@link #flush()} has nothing to do.
 */
public final class MemoryDevice implements BlockDevice {
    private final String name;
    private final long blockCount;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory;
    private volatile boolean closed;
    private volatile boolean written;

    /**
     * Allocates a zero-filled device of {@code blockCount} blocks.
     *
     * @throws MatrixArgumentException if the name is null, or {@code blockCount} is not positive or
     *                                 above 2^47 - 1 (its byte count would overflow a long)
     */
    public MemoryDevice(String name, long blockCount) {
        if (name == null) {
            throw new MatrixArgumentException("the name of a memory device of " + blockCount + " blocks is null");
        }
        Blocks.checkDeviceBlocks(name, blockCount);
        this.name = name;
        this.blockCount = blockCount;
        this.memory = arena.allocate(Blocks.bytes(blockCount), Blocks.SECTOR_SIZE);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long blockCount() {
        return blockCount;
    }

    @Override
    public boolean isBlank() {
        return !written;
    }

    @Override
    public DeviceHealth health() {
        return DeviceHealth.ONLINE;
    }

    @Override
    public void read(long block, int offset, MemorySegment dst) {
        Blocks.checkAccess(name, blockCount, block, offset, dst, true);
        try {
            MemorySegment.copy(memory, Blocks.bytes(block) + offset, dst, 0, dst.byteSize());
        } catch (IllegalStateException e) {
            throw closed();
        }
    }

    @Override
    public void write(long block, int offset, MemorySegment src) {
        Blocks.checkAccess(name, blockCount, block, offset, src, false);
        written = true;
        try {
            MemorySegment.copy(src, 0, memory, Blocks.bytes(block) + offset, src.byteSize());
        } catch (IllegalStateException e) {
            throw closed();
        }
    }

    @Override
    public MemorySegment window(long block, long blocks) {
        Blocks.checkAccess(name, blockCount, block, 0, Blocks.bytes(blocks));
        if (closed) {
            throw closed();
        }
        written = true;
        return memory.asSlice(Blocks.bytes(block), Blocks.bytes(blocks));
    }

    @Override
    public void flush() {
        if (closed) {
            throw closed();
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }

    private MatrixClosedException closed() {
        return new MatrixClosedException("device " + name + " is closed");
    }

    @Override
    public String toString() {
        return "MemoryDevice[" + name + ", " + blockCount + " blocks]";
    }
}

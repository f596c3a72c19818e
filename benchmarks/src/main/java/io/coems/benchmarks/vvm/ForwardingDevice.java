package io.coems.benchmarks.vvm;

import io.coems.matrix.BlockDevice;
import io.coems.matrix.DeviceHealth;

import java.lang.foreign.MemorySegment;

/** A device that hands every call to another; the benchmarks' wrappers override what they watch or change. */
abstract class ForwardingDevice implements BlockDevice {
    /** The device every call goes to. */
    protected final BlockDevice device;

    ForwardingDevice(BlockDevice device) {
        this.device = device;
    }

    @Override
    public String name() {
        return device.name();
    }

    @Override
    public DeviceHealth health() {
        return device.health();
    }

    @Override
    public boolean isBlank() {
        return device.isBlank();
    }

    @Override
    public MemorySegment window(long block, long blocks) {
        return device.window(block, blocks);
    }

    @Override
    public long blockCount() {
        return device.blockCount();
    }

    @Override
    public void read(long block, int offset, MemorySegment dst) {
        device.read(block, offset, dst);
    }

    @Override
    public void write(long block, int offset, MemorySegment src) {
        device.write(block, offset, src);
    }

    @Override
    public void flush() {
        device.flush();
    }

    @Override
    public void close() {
        device.close();
    }
}

package io.coems.matrix.device;

import io.coems.matrix.MatrixArgumentException;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The power feed of a set of {@link FaultInjectingDevice}s: a cut reaches all of them at the
 * same moment, as a machine's power failure does. {@link #cutAfter} arms a cut that strikes
 * after a given number of further writes and flushes on any of the devices, that is, in the
 * middle of whatever the software above is doing; the device operation that trips it fails
 * and so does every later one.
 *
 * <p>Thread-safe.
 */
public final class PowerSupply {
    private final List<FaultInjectingDevice> devices = new ArrayList<>();
    private Random random;
    private long remaining = -1;
    private boolean cut;

    /** Connects {@code device}, already wrapping its media, to this supply and returns it. */
    public synchronized FaultInjectingDevice connect(FaultInjectingDevice device) {
        if (device == null) {
            throw new MatrixArgumentException("device is null");
        }
        devices.add(device);
        device.connect(this);
        return device;
    }

    /** Arms a cut after {@code operations} more writes or flushes; {@code random} decides what survives. */
    public synchronized void cutAfter(long operations, Random random) {
        this.remaining = operations;
        this.random = random;
    }

    /** Cuts now: every connected device keeps a random subset of its unflushed writes. */
    public void cut(Random random) {
        List<FaultInjectingDevice> victims;
        synchronized (this) {
            if (cut) {
                return;
            }
            cut = true;
            victims = List.copyOf(devices);
        }
        // Outside the supply's lock: a device's own lock may be held by the caller.
        for (FaultInjectingDevice device : victims) {
            device.cut(random);
        }
    }

    /** Whether the power is off. */
    public synchronized boolean isCut() {
        return cut;
    }

    /** Counts one write or flush; true if it trips the armed cut (which has then happened). */
    boolean tick() {
        Random decide;
        synchronized (this) {
            if (cut || remaining < 0 || remaining-- > 0) {
                return false;
            }
            decide = random;
        }
        cut(decide);
        return true;
    }
}

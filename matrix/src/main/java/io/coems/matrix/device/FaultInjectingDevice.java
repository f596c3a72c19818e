package io.coems.matrix.device;

import io.coems.matrix.BlockDevice;
import io.coems.matrix.Blocks;
import io.coems.matrix.DeviceHealth;
import io.coems.matrix.MatrixArgumentException;
import io.coems.matrix.MatrixClosedException;
import io.coems.matrix.MatrixIoException;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Wraps a device (the "media") to inject faults, for the tests of this library and of its
 * users: fail the whole device, fail reads or writes of chosen blocks, flip bytes on the media,
 * and simulate a power cut.
 *
 * <p>Like a disk with a volatile write cache, it keeps every write since the last
 * {@link #flush()} pending, in memory, in issue order; reads see the pending writes. A write
 * is recorded as the whole 4 KiB sectors it touches (with their current content around the
 * new bytes), as a page cache writes back whole pages; so after a cut every sector holds the
 * content it had after one of the writes to it, or its flushed content. A flush
 * applies them to the media in order and flushes it. {@link #cut(Random)} is the power cut:
 * an arbitrary subset of the pending writes (not only a prefix) reaches the media, in issue
 * order, one of them possibly torn at 4 KiB sector boundaries; the rest is lost, and the
 * device answers nothing more. Closing a cut device leaves the media open, so a test can
 * reassemble the matrix from the media as a machine would after the power came back.
 *
 * <p>Thread-safe (every operation is synchronized: this device is for tests, not for speed).
 */
public final class FaultInjectingDevice implements BlockDevice {

    /** What a power cut did: pending writes, how many reached the media, whether one was torn. */
    public record PowerCut(int pending, int persisted, boolean torn) {
    }

    private record PendingWrite(long position, byte[] data) {
        long end() {
            return position + data.length;
        }
    }

    private final BlockDevice media;
    private final List<PendingWrite> pending = new ArrayList<>();
    private final Set<Long> failingReads = new HashSet<>();
    private final Set<Long> failingWrites = new HashSet<>();
    private boolean failed;
    private boolean powerLost;
    private boolean closed;
    private PowerSupply supply;

    /** Wraps {@code media}; this device owns it and closes it on {@link #close()} unless cut. */
    public FaultInjectingDevice(BlockDevice media) {
        if (media == null) {
            throw new MatrixArgumentException("media is null");
        }
        this.media = media;
    }

    /** Joins {@code powerSupply}: its cuts reach this device too. */
    synchronized void connect(PowerSupply powerSupply) {
        this.supply = powerSupply;
    }

    /** The wrapped device. */
    public BlockDevice media() {
        return media;
    }

    /** From now on every access fails, as a dead disk. */
    public synchronized void failDevice() {
        failed = true;
    }

    /** Reads touching {@code block} fail from now on. */
    public synchronized void failReads(long block) {
        failingReads.add(block);
    }

    /** Writes touching {@code block} fail from now on; nothing of such a write is applied. */
    public synchronized void failWrites(long block) {
        failingWrites.add(block);
    }

    /** Ends every injected failure (not a power cut). */
    public synchronized void heal() {
        failed = false;
        failingReads.clear();
        failingWrites.clear();
    }

    /**
     * Inverts {@code length} bytes at {@code offset} of {@code block} directly on the media, as
     * silent corruption would; pending writes are applied first so the flip is the last word.
     *
     * @throws MatrixArgumentException if the range does not lie inside the device; nothing is
     *                                 applied or flipped
     */
    public synchronized void flipBytes(long block, int offset, int length) {
        ensureUsable();
        Blocks.checkAccess(name(), blockCount(), block, offset, length);
        applyPending();
        MemorySegment bytes = MemorySegment.ofArray(new byte[length]);
        media.read(block, offset, bytes);
        for (long i = 0; i < length; i++) {
            bytes.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i,
                    (byte) ~bytes.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i));
        }
        media.write(block, offset, bytes);
        media.flush();
    }

    /** Number of writes issued since the last flush. */
    public synchronized int pendingWrites() {
        return pending.size();
    }

    /**
     * Cuts the power: each pending write independently reaches the media or not (in issue
     * order), one of those that do may be torn (only some of its 4 KiB sectors land), and the
     * device is dead from then on. The media are flushed, so they hold exactly what survived.
     */
    public synchronized PowerCut cut(Random random) {
        ensureOpen();
        int total = pending.size();
        List<PendingWrite> survivors = new ArrayList<>();
        for (PendingWrite write : pending) {
            if (random.nextBoolean()) {
                survivors.add(write);
            }
        }
        int tornIndex = !survivors.isEmpty() && random.nextBoolean() ? random.nextInt(survivors.size()) : -1;
        boolean torn = false;
        for (int i = 0; i < survivors.size(); i++) {
            PendingWrite write = survivors.get(i);
            if (i == tornIndex) {
                torn = applyTorn(write, random);
            } else {
                apply(write);
            }
        }
        pending.clear();
        media.flush();
        powerLost = true;
        return new PowerCut(total, survivors.size(), torn);
    }

    /**
     * Applies a proper, non-empty subset of the write's sectors (a single-sector write cannot
     * tear and lands whole); returns whether it tore.
     */
    private boolean applyTorn(PendingWrite write, Random random) {
        int sectors = write.data().length / Blocks.SECTOR_SIZE;
        boolean[] lands = new boolean[sectors];
        int landing = 0;
        for (int i = 0; i < sectors; i++) {
            lands[i] = random.nextBoolean();
            landing += lands[i] ? 1 : 0;
        }
        if (landing == 0) {
            lands[random.nextInt(sectors)] = true;
        } else if (landing == sectors && sectors > 1) {
            lands[random.nextInt(sectors)] = false;
        }
        for (int i = 0; i < sectors; i++) {
            if (lands[i]) {
                long from = write.position() + (long) i * Blocks.SECTOR_SIZE;
                applyRange(write, from, from + Blocks.SECTOR_SIZE);
            }
        }
        return sectors > 1;
    }

    private void apply(PendingWrite write) {
        applyRange(write, write.position(), write.end());
    }

    private void applyRange(PendingWrite write, long from, long to) {
        MemorySegment src = MemorySegment.ofArray(write.data()).asSlice(from - write.position(), to - from);
        media.write(from >>> Blocks.SHIFT, (int) (from & (Blocks.SIZE - 1)), src);
    }

    private void applyPending() {
        for (PendingWrite write : pending) {
            apply(write);
        }
        pending.clear();
    }

    @Override
    public String name() {
        return media.name();
    }

    @Override
    public long blockCount() {
        return media.blockCount();
    }

    @Override
    public synchronized boolean isBlank() {
        return pending.isEmpty() && media.isBlank();
    }

    @Override
    public synchronized DeviceHealth health() {
        return failed || powerLost ? DeviceHealth.FAILED : media.health();
    }

    @Override
    public synchronized void read(long block, int offset, MemorySegment dst) {
        Blocks.checkAccess(name(), blockCount(), block, offset, dst, true);
        ensureUsable();
        checkInjected(failingReads, "read", block, offset, dst.byteSize());
        view(Blocks.bytes(block) + offset, dst);
    }

    /** The current content (media plus pending writes) of the bytes at {@code start}. */
    private void view(long start, MemorySegment dst) {
        media.read(start >>> Blocks.SHIFT, (int) (start & (Blocks.SIZE - 1)), dst);
        long end = start + dst.byteSize();
        for (PendingWrite write : pending) {
            long from = Math.max(start, write.position());
            long to = Math.min(end, write.end());
            if (from < to) {
                MemorySegment.copy(MemorySegment.ofArray(write.data()), from - write.position(), dst, from - start,
                        to - from);
            }
        }
    }

    @Override
    public synchronized void write(long block, int offset, MemorySegment src) {
        Blocks.checkAccess(name(), blockCount(), block, offset, src, false);
        ensureUsable();
        powerTick();
        checkInjected(failingWrites, "write", block, offset, src.byteSize());
        long position = Blocks.bytes(block) + offset;
        long start = position & -Blocks.SECTOR_SIZE;
        long end = (position + src.byteSize() + Blocks.SECTOR_SIZE - 1) & -Blocks.SECTOR_SIZE;
        byte[] data = new byte[(int) (end - start)];
        MemorySegment sectors = MemorySegment.ofArray(data);
        if (start != position || end != position + src.byteSize()) {
            view(start, sectors);
        }
        MemorySegment.copy(src, 0, sectors, position - start, src.byteSize());
        pending.add(new PendingWrite(start, data));
    }

    @Override
    public synchronized void flush() {
        ensureUsable();
        powerTick();
        applyPending();
        media.flush();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!powerLost) {
            media.close();
        }
    }

    /** Lets an armed cut of the power supply strike before this write or flush. */
    private void powerTick() {
        PowerSupply feed = supply;
        if (feed != null && feed.tick()) {
            throw new MatrixIoException("device " + name() + " has lost power");
        }
    }

    private void checkInjected(Set<Long> failing, String op, long block, int offset, long length) {
        if (failing.isEmpty()) {
            return;
        }
        long last = (Blocks.bytes(block) + offset + Math.max(length, 1) - 1) >>> Blocks.SHIFT;
        for (long b = block; b <= last; b++) {
            if (failing.contains(b)) {
                throw new MatrixIoException("device " + name() + ": injected " + op + " failure at block " + b);
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new MatrixClosedException("device " + name() + " is closed");
        }
    }

    private void ensureUsable() {
        ensureOpen();
        if (powerLost) {
            throw new MatrixIoException("device " + name() + " has lost power");
        }
        if (failed) {
            throw new MatrixIoException("device " + name() + " has failed (injected)");
        }
    }

    @Override
    public String toString() {
        return "FaultInjectingDevice[" + media + "]";
    }
}

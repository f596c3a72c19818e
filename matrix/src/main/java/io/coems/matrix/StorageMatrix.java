package io.coems.matrix;

import io.coems.matrix.device.MappedFileDevice;
import io.coems.matrix.lbs.Lbs;
import io.coems.matrix.lbs.MatrixIdentity;
import io.coems.matrix.lbs.MemberLabel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The Storage Matrix: an ordered list of Logical Block Spaces (LBS) concatenated into one
 * space of 64 KiB blocks with 30-bit block numbers (64 TiB at most).
 *
 * <pre>
 *  matrix block  0 ........ a-1 | a ............ a+b-1 | a+b ....
 *                LBS 0 (RAID-5) | LBS 1 (RAID-1)        | LBS 2 (added online)
 * </pre>
 *
 * <p>Every member device carries a label (see {@code MemberLabel}) naming the matrix, its
 * space and its slot, so {@link #open} reassembles the matrix from its devices in any order.
 * {@link #addLbs} grows the matrix while I/O goes on; {@link #replace} rebuilds a failed member
 * in the background; {@link #scrub} verifies and repairs redundancy.
 *
 * <p>Thread-safe. The matrix owns its devices and closes them on {@link #close()}.
 */
public final class StorageMatrix implements BlockStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StorageMatrix.class);

    /** The spaces and where each starts: replaced whole when the matrix grows. */
    private record Layout(Lbs[] spaces, long[] starts, long blocks) {
        int find(long block) {
            int i = Arrays.binarySearch(starts, block);
            return i >= 0 ? i : -i - 2;
        }
    }

    private final MatrixIdentity identity;
    private volatile Layout layout;
    private volatile boolean closed;

    private StorageMatrix(MatrixIdentity identity, List<Lbs> spaces) {
        this.identity = identity;
        this.layout = layoutOf(spaces);
    }

    private static Layout layoutOf(List<Lbs> spaces) {
        long[] starts = new long[spaces.size()];
        long total = 0;
        for (int i = 0; i < spaces.size(); i++) {
            starts[i] = total;
            total += spaces.get(i).blockCount();
        }
        return new Layout(spaces.toArray(Lbs[]::new), starts, total);
    }

    /**
     * Creates a new matrix over fresh devices, labelling every member.
     *
     * @param spaces the Logical Block Spaces, in address order
     * @throws MatrixArgumentException  if the list is empty or holds null, a device appears twice,
     *                                  devices are unfit for their mode, or the total exceeds 2^30
     *                                  blocks
     * @throws DeviceNotEmptyException  if a device already belongs to a matrix and
     *                                  {@link MatrixOption#OVERWRITE} is not given
     */
    public static StorageMatrix create(List<LbsSpec> spaces, MatrixOption... options) {
        if (spaces == null || spaces.isEmpty()) {
            throw new MatrixArgumentException("a matrix needs at least one Logical Block Space");
        }
        for (int i = 0; i < spaces.size(); i++) {
            if (spaces.get(i) == null) {
                throw new MatrixArgumentException("space " + i + " of the new matrix is null");
            }
        }
        checkDistinct(spaces.stream().flatMap(s -> s.devices().stream()).toList());
        MatrixIdentity identity = new MatrixIdentity(UUID.randomUUID(), 0, spaces.size());
        boolean overwrite = has(options, MatrixOption.OVERWRITE);
        long total = 0;
        for (LbsSpec spec : spaces) {
            Lbs.check(spec, overwrite);
            total += Lbs.capacityOf(spec);
        }
        checkCapacity(total);
        List<Lbs> created = new ArrayList<>();
        for (int i = 0; i < spaces.size(); i++) {
            created.add(Lbs.format(identity, i, spaces.size(), spaces.get(i), overwrite));
        }
        StorageMatrix matrix = new StorageMatrix(identity, created);
        LOG.info("created matrix {}: {} space(s), {} blocks", identity.id(), created.size(), matrix.blockCount());
        return matrix;
    }

    /**
     * Opens the matrix whose member devices are given, in any order. Members of redundant
     * spaces may be missing (the space opens degraded); a space interrupted by a crash is
     * resynchronised from its write-intent bitmap before this returns. The matrix owns the
     * devices once this returns; if it throws, they stay the caller's.
     *
     * @throws MatrixArgumentException if the list is null, empty or holds null
     * @throws MatrixAssemblyException naming the device or member: a foreign device, a duplicate
     *                                 member, a missing member of a non-redundant space, a
     *                                 missing space, or a dirty and degraded parity space without
     *                                 {@link MatrixOption#FORCE}
     */
    public static StorageMatrix open(List<? extends BlockDevice> devices, MatrixOption... options) {
        if (devices == null || devices.isEmpty()) {
            throw new MatrixArgumentException("no devices to open a matrix from");
        }
        for (int i = 0; i < devices.size(); i++) {
            if (devices.get(i) == null) {
                throw new MatrixArgumentException("device " + i + " of those given is null");
            }
        }
        boolean force = has(options, MatrixOption.FORCE);
        Map<BlockDevice, MemberLabel> labels = new IdentityHashMap<>();
        for (BlockDevice device : devices) {
            MemberLabel label = Lbs.readLabel(device);
            if (label == null) {
                throw new MatrixAssemblyException("device " + device.name() + " is foreign: it has no valid COEMS label");
            }
            if (labels.put(device, label) != null) {
                throw new MatrixAssemblyException("device " + device.name() + " is given twice");
            }
        }
        UUID id = majorityId(labels.values());
        for (Map.Entry<BlockDevice, MemberLabel> e : labels.entrySet()) {
            if (!e.getValue().matrixId().equals(id)) {
                throw new MatrixAssemblyException("device " + e.getKey().name() + " is foreign: it belongs to matrix "
                        + e.getValue().matrixId() + ", the others to " + id);
            }
        }
        MemberLabel newest = newestOf(labels.values());
        int lbsCount = newest.lbsCount();
        List<Map<BlockDevice, MemberLabel>> bySpace = new ArrayList<>();
        for (int i = 0; i < lbsCount; i++) {
            bySpace.add(new IdentityHashMap<>());
        }
        for (BlockDevice device : devices) {
            MemberLabel label = labels.get(device);
            if (label.lbsIndex() >= lbsCount) {
                throw new MatrixAssemblyException("device " + device.name() + " claims space " + label.lbsIndex()
                        + " but the matrix has " + lbsCount + " space(s)");
            }
            bySpace.get(label.lbsIndex()).put(device, label);
        }
        MatrixIdentity identity = new MatrixIdentity(id, newest.generation(), lbsCount);
        List<Lbs> spaces = new ArrayList<>();
        for (int i = 0; i < lbsCount; i++) {
            if (bySpace.get(i).isEmpty()) {
                throw new MatrixAssemblyException("space " + i + " of matrix " + id + " is missing: none of its"
                        + " devices was given");
            }
            MemberLabel spaceLabel = newestOf(bySpace.get(i).values());
            BlockDevice[] byMember = membersOf(i, bySpace.get(i), spaceLabel);
            spaces.add(Lbs.assemble(identity, spaceLabel, byMember, force));
        }
        StorageMatrix matrix = new StorageMatrix(identity, spaces);
        LOG.info("opened matrix {}: {} space(s), {} blocks", id, spaces.size(), matrix.blockCount());
        return matrix;
    }

    /**
     * Opens the matrix stored in the given device files, in any order.
     *
     * @throws MatrixAssemblyException see {@link #open(List, MatrixOption...)}; the files are closed again
     */
    public static StorageMatrix openFiles(List<Path> paths, MatrixOption... options) {
        if (paths == null || paths.isEmpty()) {
            throw new MatrixArgumentException("no device files to open a matrix from");
        }
        List<BlockDevice> devices = new ArrayList<>();
        try {
            for (Path path : paths) {
                devices.add(MappedFileDevice.open(path));
            }
            return open(devices, options);
        } catch (RuntimeException e) {
            devices.forEach(BlockDevice::close);
            throw e;
        }
    }

    /** The matrix UUID that every member's label carries. */
    public UUID id() {
        return identity.id();
    }

    @Override
    public long blockCount() {
        return layout.blocks();
    }

    /** Number of Logical Block Spaces. */
    public int lbsCount() {
        return layout.spaces().length;
    }

    /** The state of every space, in address order. */
    public List<LbsStatus> status() {
        Layout l = layout;
        List<LbsStatus> list = new ArrayList<>();
        for (int i = 0; i < l.spaces().length; i++) {
            list.add(l.spaces()[i].status(l.starts()[i]));
        }
        return List.copyOf(list);
    }

    @Override
    public void read(long block, int offset, MemorySegment dst) {
        forEachSpace(block, offset, dst, false);
    }

    @Override
    public void write(long block, int offset, MemorySegment src) {
        forEachSpace(block, offset, src, true);
    }

    private void forEachSpace(long block, int offset, MemorySegment segment, boolean write) {
        Layout l = layout;
        Blocks.checkAccess("the matrix", l.blocks(), block, offset, segment, !write);
        ensureOpen();
        long position = Blocks.bytes(block) + offset;
        long done = 0;
        while (done < segment.byteSize()) {
            long at = position + done;
            int i = l.find(at >>> Blocks.SHIFT);
            Lbs space = l.spaces()[i];
            long spaceStart = Blocks.bytes(l.starts()[i]);
            long piece = Math.min(segment.byteSize() - done, spaceStart + Blocks.bytes(space.blockCount()) - at);
            long local = at - spaceStart;
            MemorySegment part = segment.asSlice(done, piece);
            if (write) {
                space.write(local >>> Blocks.SHIFT, (int) (local & (Blocks.SIZE - 1)), part);
            } else {
                space.read(local >>> Blocks.SHIFT, (int) (local & (Blocks.SIZE - 1)), part);
            }
            done += piece;
        }
    }

    @Override
    public void flush() {
        ensureOpen();
        for (Lbs space : layout.spaces()) {
            space.flush();
        }
    }

    /**
     * Appends a new Logical Block Space while I/O goes on: blocks {@code blockCount()} onward
     * become usable; existing blocks keep their numbers and content. The new space's labels
     * are durable before the older spaces' labels count it, so a crash in between opens the
     * matrix without it.
     *
     * @return the index of the new space
     * @throws MatrixArgumentException if the spec is null, the devices are unfit or the matrix would
     *                                 exceed 2^30 blocks
     * @throws DeviceNotEmptyException if a device already belongs to a matrix
     */
    public synchronized int addLbs(LbsSpec spec, MatrixOption... options) {
        ensureOpen();
        if (spec == null) {
            throw new MatrixArgumentException("spec is null");
        }
        Layout old = layout;
        checkDistinct(spec.devices());
        for (BlockDevice device : spec.devices()) {
            for (Lbs space : old.spaces()) {
                int member = space.memberOf(device);
                if (member >= 0) {
                    throw new MatrixArgumentException("device " + device.name() + " is already member " + member
                            + " of space " + space.index());
                }
            }
        }
        boolean overwrite = has(options, MatrixOption.OVERWRITE);
        Lbs.check(spec, overwrite);
        checkCapacity(old.blocks() + Lbs.capacityOf(spec));
        int index = old.spaces().length;
        Lbs space = Lbs.format(identity, index, index + 1, spec, overwrite);
        identity.lbsCount(index + 1);
        List<Lbs> spaces = new ArrayList<>(Arrays.asList(old.spaces()));
        spaces.add(space);
        layout = layoutOf(spaces);
        for (Lbs existing : old.spaces()) {
            existing.writeLabels(index + 1);
        }
        LOG.info("matrix {} grew by space {} ({}, {} blocks) to {} blocks", identity.id(), index, spec.mode(),
                space.blockCount(), layout.blocks());
        return index;
    }

    /**
     * Replaces failed member {@code member} of space {@code lbs} by {@code device} and rebuilds
     * it in the background while I/O goes on.
     *
     * @throws MatrixArgumentException if there is no such space or member, the device is null, the
     *                                 member is not failed, the space has no redundancy, the device
     *                                 is too small or already a member of the matrix
     * @throws DeviceNotEmptyException  if the device carries a COEMS label and
     *                                 {@link MatrixOption#OVERWRITE} is not given
     */
    public synchronized Rebuild replace(int lbs, int member, BlockDevice device, ProgressListener listener,
            MatrixOption... options) {
        ensureOpen();
        Lbs target = space(lbs);
        if (device == null) {
            throw new MatrixArgumentException("the replacement device is null");
        }
        for (Lbs space : layout.spaces()) {
            int slot = space.memberOf(device);
            if (slot >= 0) {
                throw new MatrixArgumentException("device " + device.name() + " is member " + slot + " of space "
                        + space.index() + "; a replacement must be a device outside the matrix");
            }
        }
        if (!has(options, MatrixOption.OVERWRITE) && Lbs.readLabel(device) != null) {
            throw new DeviceNotEmptyException("device " + device.name()
                    + " carries a COEMS label; pass OVERWRITE to reuse it as a replacement");
        }
        return target.replace(member, device, listener == null ? ProgressListener.NONE : listener);
    }

    /**
     * Reads every redundant stripe and compares mirrors or parity; with {@code repair}, rewrites
     * what disagrees (mirrors from the first copy, parity from the data; for RAID-6 a single
     * corrupt data block located by P and Q is corrected). Runs in the calling thread while other
     * I/O goes on.
     */
    public ScrubReport scrub(boolean repair, ProgressListener listener) {
        ensureOpen();
        ScrubReport report = ScrubReport.empty();
        for (Lbs space : layout.spaces()) {
            report = report.plus(space.scrub(repair, listener == null ? ProgressListener.NONE : listener));
        }
        if (report.mismatches() > 0) {
            LOG.warn("scrub of matrix {}: {} mismatch(es), {} repaired", identity.id(), report.mismatches(),
                    report.repaired());
        }
        return report;
    }

    private Lbs space(int lbs) {
        Lbs[] spaces = layout.spaces();
        if (lbs < 0 || lbs >= spaces.length) {
            throw new MatrixArgumentException("no space " + lbs + " (the matrix has " + spaces.length + ")");
        }
        return spaces[lbs];
    }

    /**
     * Flushes, marks every space clean and closes every device. Devices are closed even if the
     * flush fails; the first failure is rethrown. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        MatrixException failure = null;
        for (Lbs space : layout.spaces()) {
            try {
                space.close();
            } catch (MatrixException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new MatrixClosedException("matrix " + identity.id() + " is closed");
        }
    }

    /** Whether {@code wanted} is among the caller's options (given any number of times). */
    private static boolean has(MatrixOption[] options, MatrixOption wanted) {
        if (options == null) {
            throw new MatrixArgumentException("options is null");
        }
        return Arrays.asList(options).contains(wanted);
    }

    private static void checkCapacity(long blocks) {
        if (blocks > Blocks.MAX_MATRIX_BLOCKS) {
            throw new MatrixArgumentException("a matrix of " + blocks + " blocks ("
                    + (Blocks.bytes(blocks) >> 40) + " TiB) exceeds the 30-bit address space of "
                    + Blocks.MAX_MATRIX_BLOCKS + " blocks (64 TiB)");
        }
    }

    private static void checkDistinct(List<BlockDevice> devices) {
        Map<BlockDevice, Boolean> seen = new IdentityHashMap<>();
        for (BlockDevice d : devices) {
            if (seen.put(d, Boolean.TRUE) != null) {
                throw new MatrixArgumentException("device " + d.name() + " is given twice");
            }
        }
    }

    private static UUID majorityId(java.util.Collection<MemberLabel> labels) {
        Map<UUID, Integer> votes = new HashMap<>();
        UUID best = null;
        for (MemberLabel label : labels) {
            int n = votes.merge(label.matrixId(), 1, Integer::sum);
            if (best == null || n > votes.get(best)) {
                best = label.matrixId();
            }
        }
        return best;
    }

    private static MemberLabel newestOf(java.util.Collection<MemberLabel> labels) {
        MemberLabel newest = null;
        for (MemberLabel label : labels) {
            if (newest == null || label.generation() > newest.generation()) {
                newest = label;
            }
        }
        return newest;
    }

    /**
     * The device of each member slot of space {@code space}, null where missing or stale.
     * Refuses devices that disagree with the newest label on the layout, that are too small,
     * that claim one slot together, or that each say the other failed (split brain).
     */
    private static BlockDevice[] membersOf(int space, Map<BlockDevice, MemberLabel> devices, MemberLabel newest) {
        BlockDevice[] byMember = new BlockDevice[newest.members()];
        for (Map.Entry<BlockDevice, MemberLabel> e : devices.entrySet()) {
            BlockDevice device = e.getKey();
            MemberLabel label = e.getValue();
            if (!label.sameLayout(newest) || label.memberIndex() >= newest.members()) {
                throw new MatrixAssemblyException("device " + device.name() + " disagrees with the other members of"
                        + " space " + space + " on its layout (mode, members, stripe unit or size)");
            }
            if (device.blockCount() < MemberLabel.HEADER_BLOCKS + newest.memberDataBlocks()) {
                throw new MatrixAssemblyException("device " + device.name() + " has " + device.blockCount()
                        + " blocks; members of space " + space + " need "
                        + (MemberLabel.HEADER_BLOCKS + newest.memberDataBlocks()));
            }
            for (Map.Entry<BlockDevice, MemberLabel> other : devices.entrySet()) {
                MemberLabel o = other.getValue();
                if (other.getKey() != device && label.marksFailed(o.memberIndex()) && o.marksFailed(label.memberIndex())
                        && label.current(newest) && o.current(newest)) {
                    throw new MatrixAssemblyException("devices " + device.name() + " and " + other.getKey().name()
                            + " of space " + space + " each record the other as failed: both were written without"
                            + " the other (split brain). Open with only the one to keep");
                }
            }
            if (!label.current(newest)) {
                LOG.warn("device {} was member {} of space {} but has been replaced: ignored", device.name(),
                        label.memberIndex(), space);
                continue;
            }
            BlockDevice twin = byMember[label.memberIndex()];
            if (twin != null) {
                throw new MatrixAssemblyException("devices " + twin.name() + " and " + device.name()
                        + " are both member " + label.memberIndex() + " of space " + space);
            }
            byMember[label.memberIndex()] = device;
        }
        for (int m = 0; m < byMember.length; m++) {
            if (byMember[m] == null && !newest.mode().redundant()) {
                throw new MatrixAssemblyException("member " + m + " of space " + space + " (" + newest.mode()
                        + ") is missing and the space has no redundancy; given: " + names(devices));
            }
        }
        return byMember;
    }

    private static String names(Map<BlockDevice, MemberLabel> devices) {
        List<String> list = new ArrayList<>();
        devices.forEach((d, label) -> list.add("member " + label.memberIndex() + " = " + d.name()));
        return list.isEmpty() ? "none" : String.join(", ", list);
    }

    @Override
    public String toString() {
        return "StorageMatrix[" + identity.id() + ", " + lbsCount() + " spaces, " + blockCount() + " blocks]";
    }
}

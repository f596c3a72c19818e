package io.coems.matrix.lbs;

import io.coems.matrix.BlockDevice;
import io.coems.matrix.BlockStore;
import io.coems.matrix.Blocks;
import io.coems.matrix.DeviceNotEmptyException;
import io.coems.matrix.LbsHealth;
import io.coems.matrix.LbsSpec;
import io.coems.matrix.LbsStatus;
import io.coems.matrix.MatrixArgumentException;
import io.coems.matrix.MatrixAssemblyException;
import io.coems.matrix.MatrixClosedException;
import io.coems.matrix.MatrixException;
import io.coems.matrix.MatrixIoException;
import io.coems.matrix.MemberState;
import io.coems.matrix.ProgressListener;
import io.coems.matrix.RaidMode;
import io.coems.matrix.Rebuild;
import io.coems.matrix.RedundancyLostException;
import io.coems.matrix.ScrubReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A Logical Block Space: member devices combined by one {@link RaidMode} into a linear space of
 * blocks. Blocks are grouped into chunks of {@code stripeUnit} blocks; a stripe is one chunk
 * row across the members, holding {@code dataChunks} data chunks (plus copies or parity). The
 * data block {@code b} of the space lies in chunk {@code c = b / stripeUnit}, stripe
 * {@code c / dataChunks}, at member block {@code stripe * stripeUnit + b % stripeUnit} of the
 * member(s) that the subclass's layout names. Every member starts with
 * {@link MemberLabel#HEADER_BLOCKS} header blocks (labels, write-intent bitmap).
 *
 * <p>This base class owns what every mode shares: range checks, the split of an access into
 * chunks and stripes, member I/O with failure marking, labels, the write-intent log, flush,
 * close, rebuild, scrub and resync drivers. Subclasses place and protect the data.
 */
public abstract sealed class Lbs implements BlockStore permits MirrorLbs, ParityLbs {
    private static final Logger LOG = LoggerFactory.getLogger(Lbs.class);

    final MatrixIdentity identity;
    final int index;
    /** "space i", for messages, built once. */
    private final String name;
    final RaidMode mode;
    final int stripeUnit;
    final int dataChunks;
    final long stripes;
    final long capacity;
    final Member[] members;
    final StripeLocks locks = new StripeLocks();
    final WriteIntentLog intent;
    private final MemberLabel template;
    private final List<RebuildTask> rebuilds = new ArrayList<>();
    private volatile boolean closed;

    Lbs(MatrixIdentity identity, MemberLabel template, Member[] members, BitSet dirtyRegions) {
        this.identity = identity;
        this.template = template;
        this.index = template.lbsIndex();
        this.name = "space " + index;
        this.mode = template.mode();
        this.stripeUnit = template.stripeUnit();
        this.dataChunks = mode.dataChunks(template.members());
        this.stripes = template.memberDataBlocks() / stripeUnit;
        this.capacity = capacityOf(stripes, stripeUnit, dataChunks);
        this.members = members;
        this.intent = mode.redundant() ? new WriteIntentLog(template.regionStripes(), dirtyRegions, new IntentMedia())
                : null;
    }

    // ---------------------------------------------------------------- creation and assembly

    /**
     * Labels the devices of {@code spec} as space {@code index} of the matrix {@code identity}
     * and returns the new space.
     *
     * @throws MatrixArgumentException  if the devices are too small or of unequal sizes
     * @throws DeviceNotEmptyException  if a device carries a label and overwrite is false
     */
    public static Lbs format(MatrixIdentity identity, int index, int lbsCount, LbsSpec spec, boolean overwrite) {
        boolean relabel = check(spec, overwrite);
        List<BlockDevice> devices = spec.devices();
        boolean blank = devices.stream().allMatch(BlockDevice::isBlank);
        long dataBlocks = dataBlocksOf(devices.getFirst().blockCount(), spec.stripeUnitBlocks());
        int dataChunks = spec.mode().dataChunks(devices.size());
        long stripes = dataBlocks / spec.stripeUnitBlocks();
        int regionStripes = WriteIntentLog.regionStripesFor(stripes, (long) dataChunks * spec.stripeUnitBlocks());
        Member[] members = new Member[devices.size()];
        long[] slotIds = new long[members.length];
        for (int i = 0; i < members.length; i++) {
            slotIds[i] = newDeviceId();
            members[i] = new Member(i, devices.get(i), slotIds[i], MemberState.ONLINE);
        }
        MemberLabel template = new MemberLabel(identity.id(), 0, lbsCount, index, spec.mode(), devices.size(), 0,
                spec.stripeUnitBlocks(), regionStripes, dataBlocks, 0, 0, slotIds);
        Lbs lbs = of(identity, template, members, new BitSet());
        lbs.writeLabels(lbsCount);
        if (lbs.intent != null) {
            if (relabel || !blank) {
                LOG.info("space {}: devices not known to be blank; computing {} once", index,
                        spec.mode().parityChunks() > 0 ? "parity" : "mirrors");
                lbs.resync(0, lbs.stripes);
            }
            lbs.intent.clearAll();
        }
        return lbs;
    }

    private static long newDeviceId() {
        long id;
        do {
            id = java.util.concurrent.ThreadLocalRandom.current().nextLong();
        } while (id == 0);
        return id;
    }

    /**
     * Checks that the devices of {@code spec} can form a space, writing nothing.
     *
     * @return whether a device already carries a label (and will be overwritten)
     * @throws MatrixArgumentException  if the devices are too small or of unequal sizes
     * @throws DeviceNotEmptyException  if a device carries a label and overwrite is false
     */
    public static boolean check(LbsSpec spec, boolean overwrite) {
        List<BlockDevice> devices = spec.devices();
        long blocks = devices.getFirst().blockCount();
        for (BlockDevice device : devices) {
            if (device.blockCount() != blocks) {
                throw new MatrixArgumentException(spec.mode() + " needs devices of equal size: " + device.name()
                        + " has " + device.blockCount() + " blocks, " + devices.getFirst().name() + " has " + blocks);
            }
        }
        if (dataBlocksOf(blocks, spec.stripeUnitBlocks()) < spec.stripeUnitBlocks()) {
            throw new MatrixArgumentException("device " + devices.getFirst().name() + " has " + blocks
                    + " blocks, too small: a member needs " + MemberLabel.HEADER_BLOCKS + " header blocks and at least "
                    + spec.stripeUnitBlocks() + " data blocks");
        }
        boolean relabel = false;
        for (BlockDevice device : devices) {
            if (readLabel(device) != null) {
                if (!overwrite) {
                    throw new DeviceNotEmptyException("device " + device.name()
                            + " already belongs to a COEMS matrix; pass OVERWRITE to reuse it");
                }
                relabel = true;
            }
        }
        return relabel;
    }

    /** The data blocks a space formatted from {@code spec}'s devices holds. */
    public static long capacityOf(LbsSpec spec) {
        int stripeUnit = spec.stripeUnitBlocks();
        long stripes = dataBlocksOf(spec.devices().getFirst().blockCount(), stripeUnit) / stripeUnit;
        return capacityOf(stripes, stripeUnit, spec.mode().dataChunks(spec.devices().size()));
    }

    private static long capacityOf(long stripes, int stripeUnit, int dataChunks) {
        return stripes * stripeUnit * dataChunks;
    }

    private static long dataBlocksOf(long deviceBlocks, int stripeUnit) {
        return Math.max(0, deviceBlocks - MemberLabel.HEADER_BLOCKS) / stripeUnit * stripeUnit;
    }

    /**
     * Assembles a space from its labelled devices.
     *
     * @param newest   the newest label among the space's devices
     * @param byMember the device of each member slot, null where missing or stale
     * @param force    whether to open a dirty, degraded parity space
     * @throws MatrixAssemblyException if a non-redundant member is missing, too many are, or the
     *                                 space is dirty and degraded and {@code force} is false
     */
    public static Lbs assemble(MatrixIdentity identity, MemberLabel newest, BlockDevice[] byMember, boolean force) {
        Member[] members = new Member[byMember.length];
        for (int i = 0; i < members.length; i++) {
            boolean usable = byMember[i] != null && !newest.marksFailed(i);
            members[i] = new Member(i, byMember[i], newest.slotIds()[i], usable ? MemberState.ONLINE : MemberState.FAILED);
        }
        BitSet dirty = new BitSet();
        if (newest.mode().redundant()) {
            long stripes = newest.memberDataBlocks() / newest.stripeUnit();
            int regions = (int) ((stripes + newest.regionStripes() - 1) / newest.regionStripes());
            MemorySegment block = Arena.ofAuto().allocate(Blocks.SIZE);
            for (Member m : members) {
                if (m.state == MemberState.ONLINE) {
                    m.device.read(WriteIntentLog.BITMAP_BLOCK, 0, block);
                    WriteIntentLog.decodeInto(block, regions, dirty);
                }
            }
        }
        Lbs lbs = of(identity, newest, members, dirty);
        LbsHealth health = lbs.health();
        if (health == LbsHealth.FAILED) {
            throw new MatrixAssemblyException("space " + lbs.index + " (" + lbs.mode + ") cannot be assembled: "
                    + lbs.describeFailed() + " missing or failed, more than the mode tolerates");
        }
        boolean degraded = health == LbsHealth.DEGRADED;
        if (degraded && !dirty.isEmpty() && lbs.mode.parityChunks() > 0 && !force) {
            throw new MatrixAssemblyException("space " + lbs.index + " (" + lbs.mode + ") is dirty (" + dirty.cardinality()
                    + " regions with interrupted writes) and degraded (" + lbs.describeFailed()
                    + "); its parity cannot be trusted. Open with FORCE to accept possible damage in those regions");
        }
        if (lbs.failedMask() != newest.failedMask()) {
            lbs.writeLabels(identity.lbsCount());
        }
        if (lbs.intent != null && !dirty.isEmpty()) {
            LOG.warn("space {} was not closed cleanly: resynchronising {} region(s)", lbs.index, dirty.cardinality());
            for (long start : lbs.intent.dirtyRegionStarts()) {
                lbs.resync(start, Math.min(lbs.stripes, start + lbs.intent.regionStripes()));
            }
            lbs.flushMembers();
            lbs.intent.clearAll();
        }
        return lbs;
    }

    private static Lbs of(MatrixIdentity identity, MemberLabel template, Member[] members, BitSet dirty) {
        return template.mode().parityChunks() > 0
                ? new ParityLbs(identity, template, members, dirty)
                : new MirrorLbs(identity, template, members, dirty);
    }

    /**
     * Reads the newest valid label of {@code device}, or null if it has none.
     *
     * @throws MatrixIoException if the device cannot be read
     */
    public static MemberLabel readLabel(BlockDevice device) {
        if (device.blockCount() < MemberLabel.HEADER_BLOCKS) {
            return null;
        }
        MemorySegment sector = MemorySegment.ofArray(new byte[Blocks.SECTOR_SIZE]);
        MemberLabel best = null;
        for (int slot = 0; slot < 2; slot++) {
            device.read(0, slot * Blocks.SECTOR_SIZE, sector);
            MemberLabel label = MemberLabel.decode(sector);
            if (label != null && (best == null || label.generation() > best.generation())) {
                best = label;
            }
        }
        return best;
    }

    // ---------------------------------------------------------------- I/O

    @Override
    public long blockCount() {
        return capacity;
    }

    @Override
    public void read(long block, int offset, MemorySegment dst) {
        Blocks.checkAccess(name, capacity, block, offset, dst.byteSize());
        ensureOpen();
        long start = Blocks.bytes(block) + offset;
        long length = dst.byteSize();
        long done = 0;
        long chunkBytes = Blocks.bytes(stripeUnit);
        while (done < length) {
            long position = start + done;
            long chunk = position / chunkBytes;
            long inChunk = position - chunk * chunkBytes;
            long piece = Math.min(length - done, chunkBytes - inChunk);
            readChunk(chunk / dataChunks, (int) (chunk % dataChunks), inChunk, dst.asSlice(done, piece));
            done += piece;
        }
    }

    @Override
    public void write(long block, int offset, MemorySegment src) {
        Blocks.checkAccess(name, capacity, block, offset, src.byteSize());
        ensureOpen();
        long start = Blocks.bytes(block) + offset;
        long end = start + src.byteSize();
        long stripeBytes = Blocks.bytes((long) stripeUnit * dataChunks);
        if (intent != null) {
            intent.beginWrite();
        }
        try {
            for (long position = start; position < end; ) {
                long stripe = position / stripeBytes;
                long stripeEnd = Math.min(end, (stripe + 1) * stripeBytes);
                writeStripe(stripe, position - stripe * stripeBytes, src.asSlice(position - start, stripeEnd - position));
                position = stripeEnd;
            }
        } finally {
            if (intent != null) {
                intent.endWrite();
            }
        }
    }

    /**
     * Reads {@code dst.byteSize()} bytes of data chunk {@code d} of {@code stripe}, starting
     * {@code inChunk} bytes into the chunk; the piece never leaves the chunk.
     */
    abstract void readChunk(long stripe, int d, long inChunk, MemorySegment dst);

    /**
     * Writes {@code src} into {@code stripe} starting {@code inStripe} bytes into its data
     * (data chunks laid end to end); the piece never leaves the stripe.
     */
    abstract void writeStripe(long stripe, long inStripe, MemorySegment src);

    @Override
    public void flush() {
        ensureOpen();
        flushMembers();
        if (intent != null) {
            intent.afterFlush();
        }
    }

    void flushMembers() {
        for (Member m : members) {
            BlockDevice device = m.device;
            if (m.state != MemberState.FAILED) {
                try {
                    device.flush();
                } catch (MatrixIoException e) {
                    if (!mode.redundant()) {
                        throw e;
                    }
                    memberFailed(m, device, e);
                }
            }
        }
        if (health() == LbsHealth.FAILED) {
            throw lost();
        }
    }

    // ---------------------------------------------------------------- member I/O and failure

    /** Reads from member {@code m}; false if the member failed (it is now marked failed). */
    boolean tryRead(Member m, long memberBlock, long offset, MemorySegment dst) {
        return tryIo(m, memberBlock, offset, dst, false);
    }

    /** Writes to member {@code m}; false if the member failed (it is now marked failed). */
    boolean tryWrite(Member m, long memberBlock, long offset, MemorySegment src) {
        return tryIo(m, memberBlock, offset, src, true);
    }

    /**
     * One access of {@code m}'s data area, {@code offset} bytes from the start of member data
     * block {@code memberBlock}. A failure marks the member failed in redundant modes (and
     * passes through otherwise); an access that raced {@link #replace} swapping the device
     * out also answers false, so the caller retries with the new member state.
     */
    private boolean tryIo(Member m, long memberBlock, long offset, MemorySegment segment, boolean write) {
        BlockDevice device = m.device;
        long block = MemberLabel.HEADER_BLOCKS + memberBlock + (offset >>> Blocks.SHIFT);
        int within = (int) (offset & (Blocks.SIZE - 1));
        try {
            if (write) {
                device.write(block, within, segment);
            } else {
                device.read(block, within, segment);
            }
            return true;
        } catch (MatrixClosedException e) {
            if (closed || m.device == device) {
                throw e;
            }
            return false;
        } catch (MatrixIoException e) {
            if (!mode.redundant()) {
                throw e;
            }
            memberFailed(m, device, e);
            return false;
        }
    }

    /**
     * Marks {@code m} failed and records it in the labels of the others, unless {@code device}
     * (the device that failed) is no longer the member's: a late error from a replaced device
     * must not fail its replacement.
     */
    synchronized void memberFailed(Member m, BlockDevice device, Throwable cause) {
        if (m.state == MemberState.FAILED || m.device != device) {
            return;
        }
        m.state = MemberState.FAILED;
        LOG.warn("space {} ({}): member {} ({}) failed: {}", index, mode, m.index, m.name(), cause.getMessage());
        writeLabels(identity.lbsCount());
    }

    /** Writes the current label to every member not failed, with a new generation and {@code lbsCount} spaces. */
    public synchronized void writeLabels(int lbsCount) {
        long generation = identity.nextGeneration();
        long[] slotIds = new long[members.length];
        for (Member m : members) {
            slotIds[m.index] = m.deviceId;
        }
        MemberLabel label = template.with(generation, lbsCount, failedMask(), slotIds);
        for (Member m : members) {
            if (m.state == MemberState.FAILED) {
                continue;
            }
            try {
                m.device.write(0, (int) (generation & 1) * Blocks.SECTOR_SIZE,
                        label.forMember(m.index, m.deviceId).encode());
                m.device.flush();
            } catch (MatrixIoException e) {
                if (!mode.redundant()) {
                    throw e;
                }
                m.state = MemberState.FAILED;
                LOG.warn("space {}: member {} ({}) failed while writing its label: {}", index, m.index, m.name(),
                        e.getMessage());
                writeLabels(lbsCount);
                return;
            }
        }
    }

    long failedMask() {
        long mask = 0;
        for (Member m : members) {
            if (m.state != MemberState.ONLINE) {
                mask |= 1L << m.index;
            }
        }
        return mask;
    }

    /** Whether every block of the space can still be read. */
    abstract boolean dataAvailable();

    /** The health of the space. */
    public LbsHealth health() {
        if (!dataAvailable()) {
            return LbsHealth.FAILED;
        }
        return failedMask() == 0 ? LbsHealth.OPTIMAL : LbsHealth.DEGRADED;
    }

    RedundancyLostException lost() {
        return new RedundancyLostException("space " + index + " (" + mode + ") has lost data: " + describeFailed()
                + " failed, more than the mode tolerates");
    }

    String describeFailed() {
        List<String> failed = new ArrayList<>();
        for (Member m : members) {
            if (m.state != MemberState.ONLINE) {
                failed.add("member " + m.index + " (" + m.name() + ", " + m.state + ")");
            }
        }
        return failed.isEmpty() ? "no member" : String.join(", ", failed);
    }

    // ---------------------------------------------------------------- rebuild, scrub, resync

    /**
     * Puts {@code device} in the place of failed member {@code member} and rebuilds it in the
     * background while I/O goes on.
     *
     * @throws MatrixArgumentException if the member is not failed, or the device is too small
     *                                 (the caller checks that it is no member already)
     */
    public synchronized Rebuild replace(int member, BlockDevice device, ProgressListener listener) {
        ensureOpen();
        if (member < 0 || member >= members.length) {
            throw new MatrixArgumentException("space " + index + " has no member " + member + " (0.."
                    + (members.length - 1) + ")");
        }
        Member m = members[member];
        if (m.state != MemberState.FAILED) {
            throw new MatrixArgumentException("member " + member + " of space " + index + " is " + m.state
                    + ", not FAILED: only a failed member can be replaced");
        }
        if (!mode.redundant()) {
            throw new MatrixArgumentException("space " + index + " is " + mode + ": without redundancy there is"
                    + " nothing to rebuild a member from");
        }
        long needed = MemberLabel.HEADER_BLOCKS + template.memberDataBlocks();
        if (device.blockCount() < needed) {
            throw new MatrixArgumentException("replacement " + device.name() + " has " + device.blockCount()
                    + " blocks; member " + member + " of space " + index + " needs " + needed);
        }
        if (!dataAvailable()) {
            throw lost();
        }
        for (RebuildTask running : rebuilds) {
            if (running.member == m) {
                running.cancel();
            }
        }
        BlockDevice old = m.device;
        m.device = device;
        m.deviceId = newDeviceId();
        m.rebuildCursor = 0;
        m.state = MemberState.REBUILDING;
        writeLabels(identity.lbsCount());
        if (old != null && old != device) {
            old.close();
        }
        RebuildTask task = new RebuildTask(this, m, device, listener);
        rebuilds.add(task);
        Thread.ofPlatform().name("coems-rebuild-" + index + "-" + member).daemon().start(task);
        return task;
    }

    /** Rebuilds the content of {@code m} for one stripe from the other members (stripe lock held). */
    abstract void rebuildStripe(Member m, long stripe);

    /** Called by a finished rebuild: the member becomes online and receives the write-intent bitmap. */
    synchronized void rebuildDone(RebuildTask task) {
        rebuilds.remove(task);
        if (task.member.state == MemberState.REBUILDING && task.member.device == task.device) {
            task.member.state = MemberState.ONLINE;
            intent.rewrite();
            writeLabels(identity.lbsCount());
            LOG.info("space {}: member {} ({}) rebuilt and online", index, task.member.index, task.member.name());
        }
    }

    synchronized void rebuildFailed(RebuildTask task) {
        rebuilds.remove(task);
    }

    /** Verifies (and with {@code repair}, fixes) mirrors or parity of every stripe. */
    public ScrubReport scrub(boolean repair, ProgressListener listener) {
        ensureOpen();
        ScrubReport report = ScrubReport.empty();
        if (!mode.redundant()) {
            return report;
        }
        for (long stripe = 0; stripe < stripes; stripe++) {
            ensureOpen();
            intent.beginWrite();
            ReentrantLock lock = locks.of(stripe);
            lock.lock();
            try {
                if (repair) {
                    intent.mark(stripe);
                }
                report = report.plus(scrubStripe(stripe, repair));
            } finally {
                lock.unlock();
                intent.endWrite();
            }
            listener.progress(stripe + 1, stripes);
        }
        return report;
    }

    /** Checks (and repairs) one stripe; stripe lock held. */
    abstract ScrubReport scrubStripe(long stripe, boolean repair);

    /** Makes the stripes {@code [from, to)} consistent again after a crash (open only, no concurrent I/O). */
    void resync(long from, long to) {
        for (long stripe = from; stripe < to; stripe++) {
            resyncStripe(stripe);
        }
    }

    /** Makes one stripe's copies or parity agree with its data again, changing no data. */
    abstract void resyncStripe(long stripe);

    ScrubReport mismatch(long stripe, int row, String what, boolean repaired) {
        String line = "space " + index + " stripe " + stripe + " row " + row + ": " + what
                + (repaired ? " (repaired)" : "");
        return new ScrubReport(0, 1, repaired ? 1 : 0, 0, List.of(line));
    }

    // ---------------------------------------------------------------- status and close

    private double rebuildProgress(Member m) {
        return stripes == 0 ? 1.0 : (double) m.rebuildCursor / stripes;
    }

    /** This space's status, given the matrix block it starts at. */
    public LbsStatus status(long firstBlock) {
        List<LbsStatus.Member> list = new ArrayList<>();
        for (Member m : members) {
            double progress = switch (m.state) {
                case ONLINE -> 1.0;
                case FAILED -> 0.0;
                case REBUILDING -> rebuildProgress(m);
            };
            list.add(new LbsStatus.Member(m.index, m.name(), m.state, progress));
        }
        return new LbsStatus(index, mode, firstBlock, capacity, health(), List.copyOf(list));
    }

    /** The member slot that holds {@code device}, or -1. */
    public int memberOf(BlockDevice device) {
        for (Member m : members) {
            if (m.device == device) {
                return m.index;
            }
        }
        return -1;
    }

    /** Position of this space in the matrix. */
    public int index() {
        return index;
    }

    /**
     * Refuses new I/O, stops rebuilds, waits for the writes in flight, flushes, marks the space
     * clean and closes its devices. The devices are closed even when the flush fails; the
     * failure is rethrown afterwards.
     */
    public void close() {
        List<RebuildTask> running;
        synchronized (this) {
            if (closed) {
                return;
            }
            running = List.copyOf(rebuilds);
        }
        closed = true;
        running.forEach(RebuildTask::cancel);
        running.forEach(RebuildTask::awaitQuietly);
        MatrixException failure = null;
        try {
            if (intent != null) {
                intent.quiesce(() -> {
                    flushMembers();
                    intent.clearAll();
                });
            } else {
                flushMembers();
            }
        } catch (MatrixException e) {
            failure = e;
        }
        for (Member m : members) {
            if (m.device != null) {
                try {
                    m.device.close();
                } catch (MatrixException e) {
                    if (failure == null) {
                        failure = e;
                    }
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    void ensureOpen() {
        if (closed) {
            throw new MatrixClosedException("space " + index + " is closed");
        }
    }

    /** Writes the bitmap to the members that are in sync everywhere. */
    private final class IntentMedia implements WriteIntentLog.Media {
        @Override
        public void writeSector(int sector, MemorySegment bytes) {
            for (Member m : members) {
                BlockDevice device = m.device;
                if (m.state == MemberState.ONLINE) {
                    try {
                        device.write(WriteIntentLog.BITMAP_BLOCK, sector * Blocks.SECTOR_SIZE, bytes);
                    } catch (MatrixIoException e) {
                        memberFailed(m, device, e);
                    }
                }
            }
        }

        @Override
        public void sync() {
            flushMembers();
        }
    }

    /** Background rebuild of one member, stripe by stripe under the stripe locks. */
    static final class RebuildTask implements Rebuild, Runnable {
        private final Lbs lbs;
        final Member member;
        /** The replacement this task rebuilds; if the member's device changes, the task is obsolete. */
        final BlockDevice device;
        private final ProgressListener listener;
        private final CompletableFuture<Void> completion = new CompletableFuture<>();
        private volatile boolean cancelled;

        RebuildTask(Lbs lbs, Member member, BlockDevice device, ProgressListener listener) {
            this.lbs = lbs;
            this.member = member;
            this.device = device;
            this.listener = listener;
        }

        @Override
        public void run() {
            try {
                for (long stripe = 0; stripe < lbs.stripes; stripe++) {
                    if (cancelled || lbs.closed) {
                        throw new MatrixClosedException("rebuild of member " + member.index + " of space " + lbs.index
                                + " onto " + device.name() + " stopped: the matrix is closing or the member was"
                                + " replaced again");
                    }
                    ReentrantLock lock = lbs.locks.of(stripe);
                    lock.lock();
                    try {
                        if (member.device != device) {
                            throw new MatrixClosedException("rebuild onto " + device.name() + " stopped: member "
                                    + member.index + " of space " + lbs.index + " was replaced again");
                        }
                        if (member.state != MemberState.REBUILDING) {
                            throw new MatrixIoException("replacement " + member.name() + " failed during the rebuild"
                                    + " of space " + lbs.index + " at stripe " + stripe);
                        }
                        lbs.rebuildStripe(member, stripe);
                        member.rebuildCursor = stripe + 1;
                    } finally {
                        lock.unlock();
                    }
                    listener.progress(stripe + 1, lbs.stripes);
                }
                lbs.flushMembers();
                lbs.rebuildDone(this);
                completion.complete(null);
            } catch (RuntimeException e) {
                lbs.rebuildFailed(this);
                if (!(e instanceof MatrixClosedException)) {
                    lbs.memberFailed(member, device, e);
                }
                completion.completeExceptionally(e);
            }
        }

        void cancel() {
            cancelled = true;
        }

        void awaitQuietly() {
            try {
                completion.join();
            } catch (RuntimeException ignored) {
                // the rebuild's own failure is reported through its completion
            }
        }

        @Override
        public int lbs() {
            return lbs.index;
        }

        @Override
        public int member() {
            return member.index;
        }

        @Override
        public double progress() {
            return lbs.rebuildProgress(member);
        }

        @Override
        public CompletableFuture<Void> completion() {
            return completion;
        }
    }
}

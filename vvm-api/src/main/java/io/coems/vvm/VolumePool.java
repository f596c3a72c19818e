package io.coems.vvm;

import io.coems.matrix.BlockDevice;
import io.coems.matrix.Blocks;
import io.coems.matrix.LbsSpec;
import io.coems.matrix.LbsStatus;
import io.coems.matrix.MatrixException;
import io.coems.matrix.MatrixIoException;
import io.coems.matrix.ProgressListener;
import io.coems.matrix.Rebuild;
import io.coems.matrix.ScrubReport;
import io.coems.matrix.StorageMatrix;
import io.coems.matrix.device.MappedFileDevice;
import io.coems.sfs.DescriptorId;
import io.coems.sfs.SfsException;
import io.coems.sfs.SfsOptions;
import io.coems.sfs.SuperFileSystem;
import io.coems.sfs.VnodeId;
import io.coems.sfs.VnodeSpace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A pool of thin virtual block volumes inside a few files or devices: the façade an
 * application embeds. Volumes are created thin (they take space only where written), take
 * snapshots in O(1), revert to any of them, and clone any snapshot into a new volume that
 * shares all its blocks ("50 PCs boot from one golden image and store only their differences").
 *
 * <p>A pool lives either in a directory ({@link #create(Path, PoolOptions)}: the pool creates
 * sparse or preallocated device files there and grows by adding files) or on an explicit layout of devices in
 * RAID spaces ({@link #create(List, PoolOptions)}). All metadata (volumes, snapshots, clients)
 * is kept in the pool's own devices.
 *
 * <p>Thread-safe. I/O to volumes runs in parallel and never waits for configuration changes;
 * configuration changes are made one at a time, each atomic and durable when it returns. Data
 * writes are durable once a {@link #flush()} (or a volume's) returns.
 */
public final class VolumePool implements AutoCloseable {
    /** Largest virtual size of a volume: 16 TiB. */
    public static final long MAX_VOLUME_BYTES = 16L << 40;

    private static final Logger LOG = LoggerFactory.getLogger(VolumePool.class);
    /** How often at most writes look at the free space for the low-space event, unless they may have crossed it. */
    private static final long SPACE_CHECK_NANOS = 50_000_000L;
    /** Blocks a write may allocate beyond its own bytes: two partial blocks and a path of index blocks. */
    private static final long WRITE_EXTRA_BLOCKS = 8;

    private final StorageMatrix matrix;
    private final SuperFileSystem sfs;
    private final Catalog catalog;
    private final LeaseKeeper leases;
    private final ClientManager clients;
    private final ReentrantLock config = new ReentrantLock();
    private final List<PoolListener> listeners = new CopyOnWriteArrayList<>();
    private final long maxCapacity;
    /** The device files of a directory pool, null for an explicit layout. */
    private final PoolFiles files;
    /** Free bytes under which a directory pool adds a file. */
    private final long growBelow;
    /** Whether the pool can still add a file: a directory pool below its maximum size. */
    private volatile boolean growable;
    private volatile boolean closed;
    private volatile long lowSpaceThreshold;
    private volatile boolean low;
    private volatile long nextSpaceCheck = System.nanoTime();
    /** Bytes writes may still allocate before free space can be below the threshold. */
    private final java.util.concurrent.atomic.AtomicLong spaceMargin = new java.util.concurrent.atomic.AtomicLong();
    /** Whether a write skipped its look at the free space because the configuration lock was taken. */
    private final java.util.concurrent.atomic.AtomicBoolean spaceCheckDue = new java.util.concurrent.atomic.AtomicBoolean();

    private VolumePool(StorageMatrix matrix, SuperFileSystem sfs, PoolOptions options, PoolFiles files) {
        this.matrix = matrix;
        this.sfs = sfs;
        this.files = files;
        // A directory pool opened with other options keeps its own file size and maximum.
        this.maxCapacity = files == null ? Blocks.bytes(sfs.dataBlocks())
                : Math.min(options.maxBytes(), Blocks.bytes(sfs.maxBlocks()));
        this.growBelow = files == null ? 0 : files.fileBytes() / 4;
        this.growable = files != null;
        // Every record in one pass over the descriptor table: at open it is the largest cost.
        List<io.coems.sfs.Descriptor> records = new java.util.ArrayList<>();
        List<VolumeRecord> volumes = new java.util.ArrayList<>();
        List<SnapshotRecord> snapshots = new java.util.ArrayList<>();
        List<Client> registered = new java.util.ArrayList<>();
        sfs.forEachDescriptor(java.util.Set.of(PoolRecord.TYPE, io.coems.sfs.Descriptor.VOLUME, Catalog.SNAPSHOT,
                io.coems.sfs.Descriptor.CLIENT), d -> {
            switch (d.type()) {
                case PoolRecord.TYPE -> records.add(d);
                case io.coems.sfs.Descriptor.VOLUME -> volumes.add(VolumeRecord.decode(Ids.of(d.id()), d.payload()));
                case Catalog.SNAPSHOT -> snapshots.add(SnapshotRecord.decode(Ids.of(d.id()), d.payload()));
                default -> registered.add(ClientRecord.decode(Ids.of(d.id()), d.payload()));
            }
        });
        if (records.size() != 1) {
            throw new PoolFormatException("the devices hold a Super File System but " + records.size()
                    + " COEMS pool records instead of one");
        }
        DescriptorId recordId = records.getFirst().id();
        PoolRecord record = PoolRecord.decode(records.getFirst().payload());
        if (files != null) {
            files.recorded(record.preallocated());
        }
        this.catalog = new Catalog(sfs, options.clock(), volumes, snapshots);
        this.leases = new LeaseKeeper(options.clock(), record.lastToken(),
                token -> sfs.updateDescriptor(recordId, record.withLastToken(token).encode()));
        this.clients = new ClientManager(this, registered);
    }

    // ------------------------------------------------------------------ create and open

    /**
     * Creates a pool in {@code directory} (created if missing): a first device file of
     * {@link PoolOptions#fileBytes()} (sparse, or preallocated with
     * {@link PoolOptions#preallocate()}), more as the pool fills, up to
     * {@link PoolOptions#maxBytes()}. A preallocated pool stores that it is: the files it grows
     * by are preallocated too, whatever the options it is opened with later.
     *
     * @throws PoolArgumentException if the directory already holds a pool, or the files are to be
     *                               preallocated and the JVM or the file system cannot (the
     *                               message names the JVM flag that grants native access)
     * @throws PoolIoException if the files cannot be created
     */
    public static VolumePool create(Path directory, PoolOptions options) {
        PoolFiles files = new PoolFiles(required(directory, "directory"), required(options, "options"));
        VolumePool pool = build("create a pool in " + directory, files::create, options, true, files);
        try {
            pool.flush();
            files.created();
            return pool;
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /**
     * Opens the pool in {@code directory}. The files it grows by are preallocated if the pool
     * was created {@linkplain #preallocated() preallocated} or {@code options} ask for it; for
     * the first, a JVM that cannot preallocate (no native access, not Linux) grows it by sparse
     * files instead, and logs a warning naming the JVM flag.
     *
     * @throws PoolFormatException if the directory holds no pool, or one of a newer format
     */
    public static VolumePool open(Path directory, PoolOptions options) {
        PoolFiles files = new PoolFiles(required(directory, "directory"), required(options, "options"));
        return build("open the pool in " + directory, files::open, options, false, files);
    }

    /**
     * Creates a pool over an explicit layout: Logical Block Spaces (NORMAL, RAID-0/1/10/5/6) of
     * devices the caller opened; they are formatted and belong to the pool from now on.
     *
     * @throws PoolArgumentException if the layout is unfit (the message names the device), or
     *                               {@code spaces} is null or holds null
     * @throws PoolIoException if a device fails meanwhile
     */
    public static VolumePool create(List<LbsSpec> spaces, PoolOptions options) {
        requiredElements(spaces, "spaces");
        required(options, "options");
        return build("create a pool", () -> StorageMatrix.create(spaces), options, true, null);
    }

    /**
     * Opens the pool stored on {@code devices}, given in any order.
     *
     * @throws PoolArgumentException if {@code devices} is null or holds null
     * @throws PoolFormatException if the devices hold no pool, or one of a newer format
     * @throws PoolIoException if a device fails
     */
    public static VolumePool open(List<? extends BlockDevice> devices, PoolOptions options) {
        requiredElements(devices, "devices");
        required(options, "options");
        return build("open a pool", () -> StorageMatrix.open(devices), options, false, null);
    }

    private static VolumePool build(String doing, Supplier<StorageMatrix> matrixOf, PoolOptions options,
            boolean format, PoolFiles files) {
        StorageMatrix matrix;
        try {
            matrix = matrixOf.get();
        } catch (MatrixIoException e) {
            throw new PoolIoException("cannot " + doing + ": " + e.getMessage(), e);
        } catch (MatrixException e) {
            throw format ? new PoolArgumentException("cannot " + doing + ": " + e.getMessage(), e)
                    : new PoolFormatException("cannot " + doing + ": " + e.getMessage(), e);
        }
        SuperFileSystem sfs = null;
        try {
            SfsOptions sfsOptions = sfsOptions(matrix.blockCount(), files == null ? matrix.blockCount()
                    : Math.min(SfsOptions.DEFAULT_MAX_BLOCKS, options.maxBytes() / Blocks.SIZE), options);
            if (format) {
                sfs = SuperFileSystem.format(matrix, sfsOptions);
                boolean preallocated = files != null && options.preallocate();
                sfs.createDescriptor(PoolRecord.TYPE, new PoolRecord(PoolRecord.FORMAT, preallocated, 0).encode());
            } else {
                sfs = SuperFileSystem.open(matrix, sfsOptions);
                sfs.openNotes().forEach(note -> LOG.info("{}: {}", doing, note));
                if (files != null) {
                    sfs.grow(); // takes in a device file a growth added before it was cut short
                }
            }
            VolumePool pool = new VolumePool(matrix, sfs, options, files);
            LOG.info("{}: {} volumes, {} bytes capacity", doing, pool.catalog.volumeCount(), pool.space().capacity());
            return pool;
        } catch (RuntimeException e) {
            // Closing devices that failed fails too: that must not hide the first failure.
            throw closeAll("cannot " + doing, sfs, matrix, translated("cannot " + doing, e));
        }
    }

    /**
     * Closes {@code sfs} (if not null) and then {@code matrix}, the second even if the first
     * fails; returns {@code failure} with their failures suppressed in it or, if it is null, the
     * first of their failures, as a pool exception.
     */
    private static RuntimeException closeAll(String doing, SuperFileSystem sfs, StorageMatrix matrix,
            RuntimeException failure) {
        List<Runnable> closes = sfs == null ? List.of(matrix::close) : List.of(sfs::close, matrix::close);
        for (Runnable close : closes) {
            try {
                close.run();
            } catch (RuntimeException e) {
                RuntimeException closing = translated(doing, e);
                if (failure == null) {
                    failure = closing;
                } else {
                    failure.addSuppressed(closing);
                }
            }
        }
        return failure;
    }

    /** {@code e} as a pool exception if it is one of the layers below, else as it is. */
    private static RuntimeException translated(String doing, RuntimeException e) {
        return e instanceof SfsException || e instanceof MatrixException ? Errors.translate(doing, e) : e;
    }

    /**
     * Block groups of a quarter of the first device's worth, at most 2 GiB, with vnode room to
     * match, and a group table with room for {@code maxBlocks}.
     */
    private static SfsOptions sfsOptions(long blocks, long maxBlocks, PoolOptions options) {
        int groupBlocks = (int) Math.clamp(Long.highestOneBit(Math.max(1, blocks / 4)), 64, 32768);
        int vnodes = Math.max(255, (int) ((long) options.vnodesPerGroup() * groupBlocks / 32768));
        return new SfsOptions(groupBlocks, vnodes, options.cacheBlocks(), options.commitMillis(), maxBlocks);
    }

    // ------------------------------------------------------------------ volumes

    /**
     * Creates a thin volume of {@code size} bytes: it reads as zeros and takes no space until written.
     *
     * @throws PoolArgumentException if the name is invalid or taken, or the size is not from 1
     *                               byte to {@link #MAX_VOLUME_BYTES} and the pool's largest capacity
     */
    public Volume createVolume(String name, long size) {
        return change("create volume " + (name == null ? "" : Names.quoted(name)), () -> {
            checkNewName(name);
            checkSize(size);
            checkCapacity(size);
            VolumeRecord made = catalog.createVolume(name, size, 0, null);
            event(PoolEvent.Kind.VOLUME_CREATED, made.id(), name);
            return new Volume(this, made.id());
        });
    }

    /**
     * Creates a writable volume that shares every block with {@code snapshot} (image sharing):
     * it takes no space until it diverges. Any number of clones, and clones of clones.
     *
     * @throws PoolArgumentException if the name is invalid or taken, or the snapshot is another pool's
     * @throws PoolNotFoundException if the snapshot was deleted
     */
    public Volume clone(Snapshot snapshot, String name) {
        return change("clone " + snapshot + " as " + (name == null ? "" : Names.quoted(name)), () -> {
            SnapshotRecord source = ownSnapshot(snapshot);
            checkNewName(name);
            VolumeRecord made = catalog.createVolume(name, source.size(), source.id(), source);
            event(PoolEvent.Kind.VOLUME_CREATED, made.id(), name);
            return new Volume(this, made.id());
        });
    }

    /**
     * The volume named {@code name}, if there is one.
     *
     * @throws PoolArgumentException if the name is null
     */
    public Optional<Volume> findVolume(String name) {
        required(name, "volume name");
        ensureOpen();
        return Optional.ofNullable(catalog.volumeNamedOrNull(name)).map(v -> new Volume(this, v.id()));
    }

    /**
     * The volume named {@code name}.
     *
     * @throws PoolArgumentException if the name is null
     * @throws PoolNotFoundException if there is none
     */
    public Volume volume(String name) {
        required(name, "volume name");
        ensureOpen();
        return new Volume(this, catalog.volumeNamed(name).id());
    }

    /**
     * The volume with id {@code id}.
     *
     * @throws PoolNotFoundException if there is none
     */
    public Volume volume(long id) {
        ensureOpen();
        return new Volume(this, catalog.volume(id).id());
    }

    /** Every volume, by name. */
    public List<Volume> volumes() {
        ensureOpen();
        return catalog.volumes().stream().map(v -> new Volume(this, v.id())).toList();
    }

    /**
     * The snapshot with id {@code id}, of any volume.
     *
     * @throws PoolNotFoundException if there is none
     */
    public Snapshot snapshot(long id) {
        ensureOpen();
        return new Snapshot(this, catalog.snapshot(id));
    }

    /**
     * The byte ranges whose content may differ between {@code from} and {@code to} (two
     * snapshots of one lineage, or a snapshot and a live volume), from metadata only: the blocks
     * at which they map different data, skipping everything they share, so the cost follows the
     * size of the difference. Mapped ranges past the smaller image's end are included; a size
     * that grew without writes adds no range, so a replica also takes {@code to.size()}. The basis of
     * incremental backup and replication.
     */
    public List<Extent> diff(BlockImage from, BlockImage to) {
        required(from, "from");
        required(to, "to");
        ensureOpen();
        for (;;) {
            VnodeId a = vnodeOf(from);
            VnodeId b = vnodeOf(to);
            try {
                return Transfer.extents(sfs.diff(a, b), Math.max(from.size(), to.size()));
            } catch (io.coems.sfs.SfsNotFoundException e) {
                awaitChange();
                if (a.equals(vnodeOf(from)) && b.equals(vnodeOf(to))) {
                    throw Errors.translate("diff " + from + " and " + to, e);
                }
            }
        }
    }

    private VnodeId vnodeOf(BlockImage image) {
        return switch (image) {
            case Volume v -> catalog.volume(ownVolume(v)).vnode();
            case Snapshot s -> ownSnapshot(s).vnode();
        };
    }

    /** The id of {@code volume}, which must be this pool's. */
    long ownVolume(Volume volume) {
        required(volume, "volume");
        if (volume.pool() != this) {
            throw new PoolArgumentException(volume + " belongs to another pool");
        }
        return volume.id();
    }

    /** The live record of {@code snapshot}, which must be this pool's. */
    SnapshotRecord ownSnapshot(Snapshot snapshot) {
        required(snapshot, "snapshot");
        SnapshotRecord record = snapshot.record();
        if (snapshot.pool() != this) {
            throw new PoolArgumentException(snapshot + " belongs to another pool");
        }
        return record;
    }

    /** The clients of this pool. */
    public ClientManager clients() {
        ensureOpen();
        return clients;
    }

    // ------------------------------------------------------------------ space

    /** Capacity, used and free bytes, exact now. */
    public PoolSpace space() {
        ensureOpen();
        return new PoolSpace(Blocks.bytes(sfs.dataBlocks()), Blocks.bytes(sfs.freeBlocks()));
    }

    /**
     * Whether this is a directory pool whose device files are preallocated (thick): created with
     * {@link PoolOptions#preallocate()}, as stored in the pool. The files it grows by are then
     * preallocated too, whatever the options it is opened with.
     */
    public boolean preallocated() {
        ensureOpen();
        return files != null && files.recorded();
    }

    /**
     * Sets the free bytes under which listeners get a {@link PoolEvent.Kind#LOW_SPACE} event (once
     * per fall below it); 0 turns it off.
     */
    public void lowSpaceThreshold(long bytes) {
        ensureOpen();
        if (bytes < 0) {
            throw new PoolArgumentException("low-space threshold " + bytes + " bytes is negative");
        }
        lowSpaceThreshold = bytes;
        low = false;
        checkSpace();
    }

    /**
     * Adds a device file to a directory pool (the matrix grows by one space, SFS by the groups
     * that fit), unless the pool is at its maximum size or not a directory pool. The one growth
     * mechanism: a write finding the pool full, the look at the free space after changes and
     * writes, and {@link #grow()} all come here. The caller holds the configuration lock.
     *
     * @return whether the pool grew
     */
    private boolean growLocked() {
        if (files == null) {
            return false;
        }
        ensureOpen();
        try {
            long before = sfs.dataBlocks();
            if (sfs.grow() > before || files.grow(matrix, sfs.maxBlocks()) && sfs.grow() > before) {
                LOG.info("the pool grew from {} to {} data blocks", before, sfs.dataBlocks());
                return true;
            }
            return false;
        } catch (MatrixException | SfsException e) {
            throw Errors.translate("cannot grow the pool", e);
        }
    }

    /** {@link #growLocked()} for a write that found the pool full: takes the configuration lock. */
    private boolean growWhenFull() {
        if (files == null) {
            return false;
        }
        config.lock();
        try {
            return growLocked();
        } finally {
            config.unlock();
        }
    }

    /**
     * Grows a directory pool running short, and tells a fall below the low-space threshold; under
     * the configuration lock. Never fails the write or change that calls it for a failed growth.
     */
    private void checkSpace() {
        config.lock();
        try {
            checkSpaceLocked();
        } finally {
            config.unlock();
        }
    }

    private void checkSpaceLocked() {
        spaceCheckDue.set(false);
        if (closed) {
            return;
        }
        long free = space().free();
        if (growable && free < growBelow) {
            try {
                growable = growLocked();
            } catch (PoolException e) {
                // The write or change that got here is done; a full pool still tries to grow in write().
                growable = false;
                LOG.warn("the pool could not grow ahead of need, and tries again only when full: {}", e.getMessage());
            }
            free = space().free();
        }
        long threshold = lowSpaceThreshold;
        long margin = threshold == 0 || free < threshold ? Long.MAX_VALUE / 2 : free - threshold;
        spaceMargin.set(growable ? Math.min(margin, free - growBelow) : margin);
        if (threshold == 0) {
            return;
        }
        if (free < threshold && !low) {
            low = true;
            event(PoolEvent.Kind.LOW_SPACE, 0, Long.toString(free));
        } else if (free >= threshold) {
            low = false;
        }
    }

    // ------------------------------------------------------------------ administration

    /**
     * The pool's Logical Block Spaces in address order, each with its RAID mode, capacity,
     * health and member devices (name, state, rebuild progress): exact now. A directory pool has
     * one NORMAL space per device file.
     */
    public List<LbsStatus> spaces() {
        ensureOpen();
        try {
            return matrix.status();
        } catch (MatrixException e) {
            throw Errors.translate("cannot read the state of the pool's devices", e);
        }
    }

    /**
     * Reads every redundant stripe of the pool's devices and compares mirrors or parity, while
     * I/O to volumes goes on; with {@code repair}, rewrites the rows that disagree (mirrors from
     * the first copy, parity from the data) and is then a configuration change (it takes the
     * lease, if one is in force). Spaces without redundancy (NORMAL, RAID-0: every space of a
     * directory pool) have nothing to compare and count no rows. Runs in the calling thread,
     * holding the configuration lock throughout: other configuration changes wait for it.
     *
     * @param listener told the stripes done of each space's total, from the calling thread; may be null
     * @return what the scrub found and repaired
     * @throws PoolLeaseException if {@code repair} and another holder's lease is in force
     * @throws PoolIoException    if a device fails
     */
    public ScrubReport scrub(boolean repair, ProgressListener listener) {
        ProgressListener progress = listener == null ? ProgressListener.NONE : listener;
        Supplier<ScrubReport> scrub = () -> matrix.scrub(repair, progress);
        return repair ? change("scrub and repair the pool", scrub) : locked("scrub the pool", scrub);
    }

    /**
     * Repairs the pool's file-system metadata: fixes what {@link #check()} finds that can be
     * derived from the volumes' block maps (reference counts, leaked blocks, owner bits, group
     * counts, bitmaps) and returns the problems it fixed, empty if there were none. Durable when
     * it returns.
     *
     * <p>An offline tool: run it on a pool no one uses, right after opening it and before its
     * volumes are served or written. It holds the configuration lock and the file system's
     * metadata lock throughout, so changes and allocating writes wait; it is not meant to run
     * with I/O in flight, whose blocks it could count while they change. It is a configuration
     * change (it takes the lease, if one is in force).
     *
     * @throws PoolLeaseException if another holder's lease is in force
     * @throws PoolCorruptException if the metadata is damaged beyond what can be derived
     */
    public List<String> repair() {
        return change("repair the pool", () -> List.copyOf(sfs.repair()));
    }

    /**
     * Adds a device file to a directory pool now, instead of when it runs short, as a
     * configuration change (it takes the lease, if one is in force).
     *
     * @return the pool's capacity in bytes afterwards
     * @throws PoolArgumentException if the pool is on an explicit layout of devices, or at the
     *                               maximum size it was created for
     * @throws PoolIoException       if the file cannot be created
     */
    public long grow() {
        return change("grow the pool", () -> {
            if (files == null) {
                throw new PoolArgumentException("cannot grow the pool: it is on an explicit layout of devices, "
                        + "not in a directory");
            }
            if (!growLocked()) {
                throw new PoolArgumentException("cannot grow the pool: it is at its maximum size of "
                        + maxCapacity + " bytes");
            }
            growable = true;
            return space().capacity();
        });
    }

    /**
     * Puts {@code device} in the place of failed member {@code member} of space {@code space}
     * and starts rebuilding it in the background while I/O goes on; returns at once. Wait with
     * {@link Rebuild#await()} (or {@link Rebuild#completion()}); {@link #spaces()} shows the
     * progress too. From this call on the device belongs to the pool, which closes it. A
     * configuration change (it takes the lease, if one is in force); the rebuild itself runs
     * outside the configuration lock.
     *
     * @param listener told the stripes rebuilt of the total, from the rebuild's thread; may be null
     * @return the rebuild under way; its completion fails with the matrix's exception if a device
     *         fails during it (the member is then failed again)
     * @throws PoolArgumentException if there is no such space or member, the member is not
     *                               failed, the space has no redundancy, or the device is too
     *                               small, already a member, or labelled by a pool
     * @throws PoolLeaseException    if another holder's lease is in force
     */
    public Rebuild replaceDevice(int space, int member, BlockDevice device, ProgressListener listener) {
        required(device, "device");
        String what = "replace member " + member + " of space " + space + " by " + device.name();
        return change(what, () -> refusing(what, () -> matrix.replace(space, member, device, listener)));
    }

    /**
     * As {@link #replaceDevice(int, int, BlockDevice, ProgressListener)}, onto a device file:
     * an existing file is used as it is (it must not be labelled by a pool); a missing one is
     * created as large as the space's other member files (those of a pool made of files),
     * preallocated if this is a directory pool that is {@linkplain #preallocated() preallocated}
     * or opened with {@link PoolOptions#preallocate()}, else sparse, and removed again if the
     * replacement is refused.
     *
     * @throws PoolArgumentException as there, and if the file is missing and no member of the
     *                               space is a file to take the size from
     * @throws PoolIoException       if the file cannot be created or opened
     */
    public Rebuild replaceDevice(int space, int member, Path file, ProgressListener listener) {
        required(file, "file");
        String what = "replace member " + member + " of space " + space + " by " + file;
        return change(what, () -> refusing(what, () -> {
            List<LbsStatus> spaces = matrix.status();
            if (space >= 0 && space < spaces.size() && !spaces.get(space).mode().redundant()) {
                throw new PoolArgumentException("cannot " + what + ": space " + space + " is "
                        + spaces.get(space).mode() + ", without redundancy to rebuild a member from");
            }
            boolean existed = java.nio.file.Files.exists(file);
            BlockDevice device = existed ? MappedFileDevice.open(file)
                    : MappedFileDevice.create(file, memberFileBlocks(space, member), false,
                            files == null ? MappedFileDevice.Allocation.SPARSE : files.allocation());
            try {
                return matrix.replace(space, member, device, listener);
            } catch (RuntimeException e) {
                device.close();
                if (!existed) {
                    try {
                        java.nio.file.Files.deleteIfExists(file);
                    } catch (java.io.IOException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                throw e;
            }
        }));
    }

    /**
     * Runs {@code operation}, turning the matrix's refusals of unfit arguments (no such space or
     * member, a device unfit or labelled) into {@link PoolArgumentException}s.
     */
    private static <T> T refusing(String what, Supplier<T> operation) {
        try {
            return operation.get();
        } catch (io.coems.matrix.MatrixArgumentException | io.coems.matrix.DeviceNotEmptyException e) {
            throw new PoolArgumentException("cannot " + what + ": " + e.getMessage(), e);
        }
    }

    /** The blocks of a file of space {@code space} other than member {@code member}'s, to size its replacement. */
    private long memberFileBlocks(int space, int member) {
        List<LbsStatus> spaces = matrix.status();
        if (space < 0 || space >= spaces.size()) {
            throw new PoolArgumentException("no space " + space + " (the pool has " + spaces.size() + ")");
        }
        for (LbsStatus.Member m : spaces.get(space).members()) {
            Path other;
            try {
                other = Path.of(m.device());
            } catch (java.nio.file.InvalidPathException notAFile) {
                continue;
            }
            if (m.index() != member && java.nio.file.Files.isRegularFile(other)) {
                try {
                    return java.nio.file.Files.size(other) / Blocks.SIZE;
                } catch (java.io.IOException e) {
                    throw new PoolIoException("cannot read the size of " + other + ": " + e.getMessage(), e);
                }
            }
        }
        throw new PoolArgumentException("no other member of space " + space
                + " is a file to take the size of the replacement from; create the file or pass a device");
    }

    // ------------------------------------------------------------------ listeners and the lease

    /** Adds a listener of every change. */
    public void addListener(PoolListener listener) {
        ensureOpen();
        listeners.add(required(listener, "listener"));
    }

    /** Removes a listener. */
    public void removeListener(PoolListener listener) {
        listeners.remove(listener);
    }

    /**
     * Takes the management lease for {@code holder}: from now on configuration changes are
     * accepted only inside {@link #withLease} with the returned token, until the lease is
     * released or left idle for {@code idleTimeout}.
     *
     * @throws PoolLeaseException if another holder's lease is in force
     */
    public Lease acquireLease(String holder, Duration idleTimeout) {
        ensureOpen();
        config.lock();
        try {
            return leases.acquire(holder, idleTimeout);
        } catch (SfsException e) {
            throw Errors.translate("acquire the management lease", e);
        } finally {
            config.unlock();
        }
    }

    /**
     * Renews the lease of {@code token} without a change, from now on lapsing after
     * {@code idleTimeout} without one (a holder that is idle but alive keeps its lease so).
     *
     * @return the lease in force, with its new idle timeout
     * @throws PoolLeaseException if {@code token} is not the token of the lease in force
     * @throws PoolArgumentException if the timeout is not positive
     */
    public Lease renewLease(long token, Duration idleTimeout) {
        ensureOpen();
        return leases.renew(token, idleTimeout);
    }

    /** Releases the lease of {@code token}, if it is the one in force. */
    public void releaseLease(long token) {
        ensureOpen();
        leases.release(token);
    }

    /** The lease in force, if any. */
    public Optional<Lease> lease() {
        ensureOpen();
        return Optional.ofNullable(leases.current());
    }

    /**
     * Runs {@code operation} carrying fencing token {@code token}: its configuration changes are
     * accepted if that is the token of the lease in force, and renew it.
     */
    public <T> T withLease(long token, Supplier<T> operation) {
        return LeaseKeeper.carrying(token, required(operation, "operation"));
    }

    /** As {@link #withLease(long, Supplier)}, for an operation without a result. */
    public void withLease(long token, Runnable operation) {
        required(operation, "operation");
        LeaseKeeper.carrying(token, () -> {
            operation.run();
            return null;
        });
    }

    // ------------------------------------------------------------------ durability and lifecycle

    /** Makes every completed write and change durable. */
    public void flush() {
        ensureOpen();
        try {
            sfs.flush();
        } catch (SfsException e) {
            throw Errors.translate("flush the pool", e);
        }
    }

    /**
     * Verifies the pool's metadata: the block maps and reference counts below, and that every
     * volume and snapshot record names a live state. Returns the problems found; empty when
     * consistent. Changes nothing, so it needs no lease.
     */
    public List<String> check() {
        return locked("check the pool", () -> {
            List<String> problems = new java.util.ArrayList<>(sfs.check());
            java.util.Set<VnodeId> states = new java.util.HashSet<>(sfs.vnodes());
            int named = 0;
            for (VolumeRecord v : catalog.volumes()) {
                named++;
                if (!states.contains(v.vnode())) {
                    problems.add("volume " + Names.quoted(v.name()) + " names " + v.vnode() + ", which does not exist");
                }
                for (SnapshotRecord s : catalog.history(v.id())) {
                    named++;
                    if (!states.contains(s.vnode())) {
                        problems.add("snapshot " + Names.quoted(s.name()) + " names " + s.vnode() + ", which does not exist");
                    }
                }
            }
            if (named != states.size()) {
                problems.add(states.size() + " volume states exist but " + named + " are named by records");
            }
            return problems;
        });
    }

    /**
     * Flushes and releases the pool's files and devices. Idempotent.
     *
     * @throws PoolIoException if the last flush fails; the pool is closed all the same
     */
    @Override
    public void close() {
        config.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            RuntimeException failure = closeAll("cannot close the pool", sfs, matrix, null);
            if (failure != null) {
                throw failure;
            }
        } finally {
            config.unlock();
        }
    }

    // ------------------------------------------------------------------ for the handles

    SuperFileSystem sfs() {
        return sfs;
    }

    Catalog catalog() {
        return catalog;
    }

    void ensureOpen() {
        if (closed) {
            throw new PoolClosedException("the pool is closed");
        }
    }

    /** Runs configuration change {@code what}: one at a time, under the lease if one is held. */
    <T> T change(String what, Supplier<T> operation) {
        return locked(what, () -> {
            leases.admit(what);
            T result = operation.get();
            checkSpace();
            return result;
        });
    }

    /** Runs {@code operation} with no configuration change under way; it needs no lease. */
    private <T> T locked(String what, Supplier<T> operation) {
        ensureOpen();
        config.lock();
        try {
            ensureOpen();
            return operation.get();
        } catch (RuntimeException e) {
            throw Errors.translate("cannot " + what, e);
        } finally {
            config.unlock();
        }
    }

    /**
     * The volume's record, or null if it was deleted, once the configuration change in progress
     * (if any) is done: I/O that found its state gone waits here to tell a revert, whose new state
     * the catalog names only at the end of the change, from a deletion.
     */
    VolumeRecord settledVolume(long id) {
        awaitChange();
        return catalog.volumeOrNull(id);
    }

    /** Returns once the configuration change in progress, if any, is done. */
    private void awaitChange() {
        config.lock();
        config.unlock();
    }

    /**
     * Runs a write of {@code bytes}, then looks at the free space now and then, and always once
     * the writes since the last look may have taken the free space below the threshold. Only a
     * write that finds the pool full waits for the configuration lock (to grow the pool); the
     * look at the free space is skipped while a change holds the lock, and made by a later write.
     */
    void write(long bytes, Runnable write) {
        try {
            write.run();
        } catch (PoolNoSpaceException full) {
            boolean grew;
            try {
                grew = growWhenFull();
            } catch (PoolException failed) {
                full.addSuppressed(failed);
                throw full;
            }
            if (!grew) {
                throw full;
            }
            write.run();
        } finally {
            if (lowSpaceThreshold != 0 || growable) {
                long now = System.nanoTime();
                long most = bytes + WRITE_EXTRA_BLOCKS * Blocks.SIZE;
                if (spaceMargin.addAndGet(-most) < 0 || now - nextSpaceCheck >= 0) {
                    checkSpaceUnlessBusy(now);
                }
            }
        }
    }

    /**
     * Looks at the free space unless the configuration lock is taken; I/O never waits for it. A
     * writer holding it for the same look looks again before it leaves, so a burst is not missed.
     */
    private void checkSpaceUnlessBusy(long now) {
        spaceCheckDue.set(true);
        while (spaceCheckDue.get() && config.tryLock()) {
            try {
                nextSpaceCheck = now + SPACE_CHECK_NANOS;
                checkSpaceLocked();
            } finally {
                config.unlock();
            }
        }
    }

    /** Tells the listeners; returns null, so that a change can end with it. */
    <T> T event(PoolEvent.Kind kind, long id, String name) {
        PoolEvent event = new PoolEvent(kind, id, name);
        for (PoolListener listener : listeners) {
            try {
                listener.changed(event);
            } catch (RuntimeException e) {
                LOG.warn("pool listener {} failed on {}: {}", listener, event, e.toString());
            }
        }
        return null;
    }

    Optional<Snapshot> snapshotIfLive(long id) {
        SnapshotRecord s = id == 0 ? null : catalog.snapshotOrNull(id);
        return s == null ? Optional.empty() : Optional.of(new Snapshot(this, s));
    }

    static VolumeSpace space(VnodeSpace space) {
        return new VolumeSpace(Blocks.bytes(space.mapped()), Blocks.bytes(space.exclusive()),
                Blocks.bytes(space.reclaimable()));
    }

    static void checkSize(long size) {
        if (size <= 0 || size > MAX_VOLUME_BYTES) {
            throw new PoolArgumentException("volume size " + size + " bytes is not from 1 to " + MAX_VOLUME_BYTES
                    + " (16 TiB)");
        }
    }

    /** Refuses a volume size beyond the largest capacity the pool can reach. */
    void checkCapacity(long size) {
        if (size > maxCapacity) {
            throw new PoolArgumentException("volume size " + size + " bytes is beyond the pool's capacity of "
                    + maxCapacity + " bytes");
        }
    }

    private void checkNewName(String name) {
        Names.check(name, "volume");
        if (catalog.hasVolumeNamed(name)) {
            throw new PoolArgumentException("a volume named " + Names.quoted(name) + " already exists");
        }
    }

    /** {@code list}, which must not be null nor hold null. */
    private static void requiredElements(List<?> list, String name) {
        required(list, name);
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null) {
                throw new PoolArgumentException(name + "[" + i + "] is null");
            }
        }
    }

    /** {@code value}, which must not be null. */
    static <T> T required(T value, String name) {
        if (value == null) {
            throw new PoolArgumentException(name + " is null");
        }
        return value;
    }
}

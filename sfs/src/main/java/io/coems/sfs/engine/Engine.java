package io.coems.sfs.engine;

import io.coems.matrix.BlockStore;
import io.coems.matrix.Blocks;
import io.coems.sfs.BlockRange;
import io.coems.sfs.Descriptor;
import io.coems.sfs.DescriptorId;
import io.coems.sfs.SfsArgumentException;
import io.coems.sfs.SfsBatch;
import io.coems.sfs.SfsClosedException;
import io.coems.sfs.SfsCorruptException;
import io.coems.sfs.SfsFormatException;
import io.coems.sfs.SfsNotFoundException;
import io.coems.sfs.VnodeId;
import io.coems.sfs.VnodeSpace;
import io.coems.sfs.format.DescriptorRecord;
import io.coems.sfs.format.Geometry;
import io.coems.sfs.format.LittleEndian;
import io.coems.sfs.format.MetaBlock;
import io.coems.sfs.format.Pointers;
import io.coems.sfs.format.Superblock;
import io.coems.sfs.format.VnodeRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The Super File System engine behind {@code SuperFileSystem}: vnodes as copy-on-write block
 * maps over a {@link BlockStore}, with every metadata change in a {@link Transaction}.
 *
 * <p>Locking: a vnode's lock (one of a fixed set of fair read-write locks the vnode index
 * hashes onto, so waiting operations go in order) is taken first, shared for reads and for writes into blocks the vnode owns, exclusive
 * for anything that changes its map; then the metadata lock, held while a transaction is
 * open. Writes into owned blocks take no metadata lock at all. A journal commit holds the
 * metadata lock only to take the running transaction ({@link Journal}); its I/O runs without
 * any lock, so a thread holding the metadata lock may wait for it.
 */
public final class Engine {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    private static final int VNODE_LOCKS = 256;
    /** Most blocks one transaction of a write may change, so a huge write commits in pieces. */
    private static final int BLOCKS_PER_TRANSACTION = 64;
    /** References one step of a delete releases before it lets other work in. */
    private static final int RELEASE_BUDGET = 4096;
    /** How long close waits for a periodic commit in flight. */
    private static final long COMMITTER_STOP_SECONDS = 60;

    private final Store store;
    private final MetaCache cache;
    /** Replaced only by {@link #adopt}, under the metadata lock, with a larger one. */
    private volatile Geometry geometry;
    private final GroupTable groups;
    private final BlockCounts counts;
    private final VnodeTable vnodes;
    private final BlockMap map;
    private final Trees trees;
    private final ReentrantLock meta = new ReentrantLock();
    private final ReentrantReadWriteLock[] vnodeLocks = new ReentrantReadWriteLock[VNODE_LOCKS];
    private volatile Superblock superblock;
    private volatile boolean closed;
    /**
     * The group table's free data blocks as last committed, for lock-free readers: open
     * transactions change the table in place. Written only under the metadata lock (or in format
     * and open, before anyone else may see the engine).
     */
    private volatile long committedFreeBlocks;
    /** The thread running an {@link #atomically} body, if any; set and cleared under the metadata lock. */
    private volatile Thread atomicallyThread;
    private int nextGroup;
    private Descriptors descriptors;
    /** Null only while formatting; every transaction after format goes through it. */
    private Journal journal;
    private java.util.concurrent.ScheduledExecutorService committer;
    /** A block's worth of bytes for the partial writes that copy or zero-fill a block; used under the metadata lock. */
    private final MemorySegment blockBuffer = MemorySegment.ofArray(new byte[Blocks.SIZE]);

    private Engine(BlockStore store, Superblock superblock, int cacheBlocks) {
        this.store = new Store(store);
        this.superblock = superblock;
        this.geometry = superblock.geometry();
        this.cache = new MetaCache(this.store, cacheBlocks);
        this.groups = new GroupTable(this::geometry);
        this.counts = new BlockCounts(this::geometry, groups, superblock.reservedBlocks());
        this.vnodes = new VnodeTable(this::geometry, groups);
        this.map = new BlockMap(counts, vnodes);
        this.trees = new Trees(counts);
        for (int i = 0; i < VNODE_LOCKS; i++) {
            vnodeLocks[i] = new ReentrantReadWriteLock(true);
        }
    }

    // ------------------------------------------------------------------ format and open

    /**
     * Writes a new, empty file system over the whole store, able to grow to {@code maxBlocks}.
     *
     * @throws SfsArgumentException if the store is too small for the geometry or above the maximum
     */
    public static Engine format(BlockStore store, int groupBlocks, int vnodesPerGroup, int cacheBlocks,
            long commitMillis, long maxBlocks) {
        Geometry geometry = Geometry.of(store.blockCount(), groupBlocks, vnodesPerGroup, maxBlocks);
        long reserved = Math.max(16, geometry.totalDataBlocks() / 1000);
        int features = Superblock.JOURNAL | Superblock.GROWTH;
        Superblock sb = new Superblock(0, 0, features, UUID.randomUUID(), geometry, Superblock.OPEN, reserved,
                0, System.currentTimeMillis(), 0, 0, 0);
        Engine engine = new Engine(store, sb, cacheBlocks);
        try (Transaction tx = engine.begin()) {
            for (int i = 0; i < geometry.tableBlocks(); i++) {
                tx.fresh(geometry.tableBlock(0, i), MetaBlock.Kind.GROUP_TABLE);
            }
            for (int g = 0; g < geometry.groups(); g++) {
                engine.groups.set(tx, g, (int) geometry.dataBlocks(g), geometry.vnodesPerGroup());
            }
            tx.commit();
        }
        for (int g = 0; g < geometry.groups(); g++) {
            try (Transaction tx = engine.begin()) {
                Growth.freshGroup(tx, geometry, g);
                tx.commit();
            }
        }
        long journalStart = geometry.firstData(0);
        int journalBlocks = (int) Math.min(geometry.dataBlocks(0) / 2,
                Math.max(64, Math.min(16384, geometry.totalDataBlocks() / 16)));
        try (Transaction tx = engine.begin()) {
            for (long b = journalStart; b < journalStart + journalBlocks; b++) {
                engine.counts.put(tx, b, 1);
            }
            engine.groups.addFreeBlocks(tx, 0, -journalBlocks);
            tx.commit();
        }
        engine.attach(Journal.create(engine.store, journalStart, journalBlocks));
        long descriptorVnode = engine.create(Blocks.bytes(BlockMap.MAX_BLOCKS));
        sb = new Superblock(0, 0, features, sb.id(), geometry, Superblock.OPEN, reserved, descriptorVnode,
                sb.created(), 0, journalStart, journalBlocks);
        engine.superblock = sb;
        engine.descriptors = new Descriptors(engine, descriptorVnode);
        try (Transaction tx = engine.begin()) {
            engine.descriptors.grow(tx);
            tx.commit();
            engine.durable();
        }
        engine.writeBackupTables();
        engine.writeSuperblocks(sb);
        engine.flushStore();
        engine.countFreeBlocks();
        engine.startCommitter(commitMillis);
        LOG.info("formatted SFS {}: {} groups of {} blocks, {} data blocks, {} vnodes", sb.id(), geometry.groups(),
                geometry.groupBlocks(), geometry.totalDataBlocks(), geometry.vnodes());
        return engine;
    }

    /**
     * Opens the file system in {@code store}, from a backup superblock if the primary is damaged
     * ({@code notes} tells), and resumes interrupted deletes.
     *
     * @throws SfsFormatException if there is no SFS, or one of a newer format or with unknown
     *                            incompatible features
     */
    public static Engine open(BlockStore store, int cacheBlocks, long commitMillis, List<String> notes) {
        MemorySegment sector = MemorySegment.ofArray(new byte[Blocks.SECTOR_SIZE]);
        Store raw = new Store(store);
        raw.read(0, 0, sector);
        if (Superblock.hasMagic(sector) && Superblock.version(sector) > Superblock.VERSION) {
            throw new SfsFormatException("the store holds SFS format version " + Superblock.version(sector)
                    + "; this code reads version " + Superblock.VERSION);
        }
        Superblock sb = Superblock.decode(sector);
        if (sb == null) {
            sb = findBackup(raw, sector);
            if (sb == null) {
                throw new SfsFormatException("the store holds no SFS: no valid superblock at block 0 nor any backup");
            }
            notes.add("primary superblock damaged; opened from the backup in group " + sb.copy());
            sb = sb.asCopy(0);
        }
        if ((sb.incompatible() & ~Superblock.KNOWN_INCOMPATIBLE) != 0) {
            throw new SfsFormatException("the SFS uses incompatible features 0x"
                    + Integer.toHexString(sb.incompatible() & ~Superblock.KNOWN_INCOMPATIBLE) + " unknown to this code");
        }
        if ((sb.readOnly() & ~Superblock.KNOWN_READ_ONLY) != 0) {
            throw new SfsFormatException("the SFS uses read-only-compatible features 0x"
                    + Integer.toHexString(sb.readOnly() & ~Superblock.KNOWN_READ_ONLY) + " unknown to this code; it"
                    + " cannot be opened for writing");
        }
        if (sb.geometry().totalBlocks() > store.blockCount()) {
            throw new SfsFormatException("the SFS spans " + sb.geometry().totalBlocks() + " blocks but the store has "
                    + store.blockCount());
        }
        if ((sb.incompatible() & Superblock.JOURNAL) == 0 || sb.journalBlocks() < 4) {
            throw new SfsFormatException("the SFS has no journal; it was written by an unreleased format");
        }
        Journal journal = Journal.recover(raw, sb.journalStart(), sb.journalBlocks(), notes);
        Engine engine = new Engine(store, sb, cacheBlocks);
        engine.attach(journal);
        engine.checkGroupTable(notes);
        Growth.resume(engine, notes);
        if (sb.state() != Superblock.CLEAN) {
            notes.add("the file system was not closed cleanly");
        }
        engine.writePrimarySuperblock(engine.superblock.withState(Superblock.OPEN));
        engine.flushStore();
        engine.descriptors = new Descriptors(engine, sb.descriptorVnode());
        engine.resumeDeletes();
        engine.countFreeBlocks();
        engine.startCommitter(commitMillis);
        return engine;
    }

    /** Scans the possible group sizes for a valid backup superblock. */
    private static Superblock findBackup(Store store, MemorySegment sector) {
        for (int size = Geometry.MIN_GROUP_BLOCKS; size <= Geometry.MAX_GROUP_BLOCKS; size <<= 1) {
            for (long block = size; block < store.blockCount(); block += size) {
                store.read(block, 0, sector);
                Superblock sb = Superblock.decode(sector);
                if (sb != null && sb.geometry().groupBlocks() == size && sb.copy() == block / size) {
                    return sb;
                }
                if (block / size >= 4) {
                    break;
                }
            }
        }
        return null;
    }

    /** Falls back to a backup group table if the primary fails its checksum, and recounts it. */
    private void checkGroupTable(List<String> notes) {
        for (int i = 0; i < geometry.usedTableBlocks(); i++) {
            try {
                cache.read(geometry.tableBlock(0, i), MetaBlock.Kind.GROUP_TABLE);
            } catch (SfsCorruptException primaryBad) {
                restoreGroupTable(i, notes);
            }
        }
    }

    private void restoreGroupTable(int i, List<String> notes) {
        for (int g = 1; g < geometry.groups(); g++) {
            MemorySegment backup = MemorySegment.ofArray(new byte[Blocks.SIZE]);
            store.read(geometry.tableBlock(g, i), 0, backup);
            if (MetaBlock.valid(backup, MetaBlock.Kind.GROUP_TABLE)) {
                store.write(geometry.tableBlock(0, i), 0, backup);
                cache.clear();
                try (Transaction tx = begin()) {
                    recountGroups(tx);
                    tx.commit();
                }
                notes.add("group-descriptor table block " + i + " damaged; restored from the copy in group " + g
                        + " and recounted");
                return;
            }
        }
        throw new SfsCorruptException("group-descriptor table block " + i + " and all its copies are damaged");
    }

    /** Recomputes every group's free blocks and vnodes from the counts and bitmaps. */
    void recountGroups(Transaction tx) {
        for (int g = 0; g < geometry.groups(); g++) {
            groups.set(tx, g, counts.freeIn(tx, g), vnodes.freeIn(tx, g));
        }
    }

    private void writeBackupTables() {
        writeBackupTables(1, geometry.groups(), 0, geometry.usedTableBlocks());
    }

    /**
     * Copies blocks {@code [fromBlock, toBlock)} of the primary group table to groups {@code [fromGroup, toGroup)},
     * each sealed here in a copy: the trailer of a cached block changed in place is not kept up to date.
     */
    void writeBackupTables(int fromGroup, int toGroup, int fromBlock, int toBlock) {
        MemorySegment primary = MemorySegment.ofArray(new byte[Blocks.SIZE]);
        for (int i = fromBlock; i < toBlock; i++) {
            MemorySegment.copy(cache.read(geometry.tableBlock(0, i), MetaBlock.Kind.GROUP_TABLE), 0, primary, 0,
                    Blocks.SIZE);
            MetaBlock.seal(primary, MetaBlock.Kind.GROUP_TABLE);
            for (int g = fromGroup; g < toGroup; g++) {
                store.write(geometry.tableBlock(g, i), 0, primary);
            }
        }
    }

    /**
     * Writes every group's copy of the superblock (format, growth, repair): the backups, a
     * flush, then the primary, so a primary that reached the store vouches for its backups.
     */
    void writeSuperblocks(Superblock sb) {
        this.superblock = sb;
        for (int g = 1; g < geometry.groups(); g++) {
            store.write(geometry.groupStart(g), 0, sb.asCopy(g).encode());
        }
        flushStore();
        writePrimarySuperblock(sb);
    }

    /** Takes on the larger layout of {@code grown}, whose groups the journal has committed ({@link Growth}). */
    void adopt(Superblock grown) {
        this.superblock = grown;
        this.geometry = grown.geometry();
    }

    /**
     * Writes the primary superblock only: its state changes at every open and close, and the
     * backups need to agree only on what the file system is, so open stays independent of the
     * pool's size.
     */
    private void writePrimarySuperblock(Superblock sb) {
        this.superblock = sb;
        store.write(0, 0, sb.asCopy(0).encode());
    }

    // ------------------------------------------------------------------ vnodes

    /** Creates an empty vnode of {@code size} bytes and returns its id. */
    public long create(long size) {
        return atomically(new long[0], batch -> batch.create(size)).toLong();
    }

    /**
     * Creates a child of {@code parent} that sees exactly the parent's data, in O(1): the
     * roots are shared (owner bits cleared in both) and gain a reference each.
     */
    public long spawn(long parent) {
        return atomically(new long[] {parent}, batch -> batch.spawn(VnodeId.fromLong(parent))).toLong();
    }

    private long createIn(Transaction tx, long size) {
        int index = vnodes.allocate(tx, nextGroup);
        nextGroup = (nextGroup + 1) % geometry.groups();
        VnodeRecord record = vnodes.modify(tx, index);
        record.size(size);
        record.created(System.currentTimeMillis());
        return Ids.of(index, record.generation());
    }

    /** Spawns a child of {@code parent} in {@code tx}; the caller holds the parent's write lock. */
    private long spawnIn(Transaction tx, long parent) {
        int p = Ids.index(parent);
        VnodeRecord source = live(tx, parent);
        long size = source.size();
        int[] roots = new int[VnodeRecord.ROOTS];
        for (int r = 0; r < VnodeRecord.ROOTS; r++) {
            roots[r] = Pointers.shared(source.root(r));
        }
        int child = vnodes.allocate(tx, p / geometry.vnodesPerGroup());
        VnodeRecord parentRecord = vnodes.modify(tx, p);
        VnodeRecord childRecord = vnodes.modify(tx, child);
        for (int r = 0; r < VnodeRecord.ROOTS; r++) {
            if (roots[r] != 0) {
                counts.increment(tx, Pointers.block(roots[r]));
            }
            parentRecord.root(r, roots[r]);
            childRecord.root(r, roots[r]);
        }
        childRecord.size(size);
        childRecord.parent(parent);
        childRecord.created(System.currentTimeMillis());
        return Ids.of(child, childRecord.generation());
    }

    /**
     * Deletes a vnode: releases exactly the blocks no other vnode references, in bounded steps
     * that let other work in between; a crash midway resumes on the next open.
     */
    public void delete(long id) {
        atomically(new long[] {id}, batch -> {
            batch.delete(VnodeId.fromLong(id));
            return null;
        });
    }

    /** Marks vnode {@code id} as being deleted and records it as an orphan, so open finishes the delete. */
    void markDeleting(Transaction tx, long id) {
        VnodeRecord record = vnodes.modify(tx, Ids.index(id));
        record.flags(record.flags() | VnodeRecord.DELETING);
        MemorySegment orphan = MemorySegment.ofArray(new byte[Long.BYTES]);
        orphan.set(LittleEndian.LONG, 0, id);
        descriptors.create(tx, Descriptors.ORPHAN, orphan);
    }

    /** The vnode slot an orphan record names. */
    private int orphanIndex(MetaView view, long orphan) {
        return Ids.index(descriptors.live(view, orphan).payload().get(LittleEndian.LONG, 0));
    }

    private void releaseAll(int index) {
        boolean done = false;
        while (!done) {
            lockMeta();
            try (Transaction tx = begin()) {
                done = true;
                int[] budget = {RELEASE_BUDGET};
                for (int r = 0; r < VnodeRecord.ROOTS && done; r++) {
                    done = map.release(tx, vnodes.rootBlock(index), MetaBlock.Kind.VNODE_TABLE,
                            vnodes.rootOffset(index, r), 2, budget);
                }
                if (done) {
                    vnodes.free(tx, index);
                    for (long orphan : descriptors.ofType(tx, Descriptors.ORPHAN)) {
                        if (orphanIndex(tx, orphan) == index) {
                            descriptors.free(tx, orphan);
                        }
                    }
                }
                tx.commit();
                if (done) {
                    durable();
                }
            } finally {
                meta.unlock();
            }
        }
    }

    /**
     * Finishes the deletes a crash interrupted. They are found through their orphan records in
     * the descriptor table, so open does not scan the vnode tables of the whole pool.
     */
    private void resumeDeletes() {
        for (long orphan : descriptors.ofType(cache, Descriptors.ORPHAN)) {
            int index = orphanIndex(cache, orphan);
            LOG.info("resuming the delete of vnode {}", index);
            releaseAll(index);
        }
    }

    /**
     * Runs {@code body} as one atomic change: every metadata change it makes through its batch
     * commits as one transaction, durable when this returns; if it throws, nothing changed.
     * The vnodes the batch spawns from or deletes must be named in {@code locked}: their locks
     * are taken (in a fixed order, so two batches cannot deadlock) before the metadata lock.
     * Deleted vnodes release their blocks after the commit; a failure then does not fail the change.
     */
    public <T> T atomically(long[] locked, java.util.function.Function<SfsBatch, T> body) {
        ReentrantReadWriteLock[] locks = stripesOf(locked);
        for (ReentrantReadWriteLock lock : locks) {
            lock.writeLock().lock();
        }
        List<Integer> deleted = new ArrayList<>();
        T result;
        try {
            lockMeta();
            try (Transaction tx = begin()) {
                atomicallyThread = Thread.currentThread();
                Batch batch = new Batch(tx, deleted);
                try {
                    result = body.apply(batch);
                } finally {
                    batch.done = true;
                    atomicallyThread = null;
                }
                tx.commit();
                durable();
            } catch (RuntimeException e) {
                if (descriptors != null) { // null only while formatting
                    descriptors.reload();
                }
                throw e;
            } finally {
                meta.unlock();
            }
        } finally {
            for (int i = locks.length - 1; i >= 0; i--) {
                locks[i].writeLock().unlock();
            }
        }
        for (int index : deleted) {
            releaseDeleted(index);
        }
        return result;
    }

    /**
     * Releases the blocks of vnode {@code index}, whose delete has committed. A failure here does
     * not undo or fail the delete: it is logged, and the orphan record makes the next open finish it.
     */
    private void releaseDeleted(int index) {
        try {
            releaseAll(index);
        } catch (RuntimeException e) {
            LOG.warn("vnode {} is deleted, but releasing its blocks failed; the next open finishes it: {}", index,
                    e.toString());
        }
    }

    /** The distinct lock stripes of {@code ids}, in stripe order. */
    private ReentrantReadWriteLock[] stripesOf(long[] ids) {
        return java.util.Arrays.stream(ids).mapToInt(id -> stripe(Ids.index(id))).distinct().sorted()
                .mapToObj(s -> vnodeLocks[s]).toArray(ReentrantReadWriteLock[]::new);
    }

    /** The operations of one {@link #atomically} call, all in its transaction. */
    private final class Batch implements SfsBatch {
        private final Transaction tx;
        private final List<Integer> deleted;
        private final Thread owner = Thread.currentThread();
        /** Set when the {@code atomically} call that handed this batch out has left its body. */
        private volatile boolean done;

        Batch(Transaction tx, List<Integer> deleted) {
            this.tx = tx;
            this.deleted = deleted;
        }

        /** Refuses a call after the change ended or from another thread: it would act outside the transaction. */
        private void ensureUsable() {
            if (done || Thread.currentThread() != owner) {
                throw new SfsArgumentException("this SfsBatch is used " + (done
                        ? "after the atomically call that handed it out returned" : "from another thread")
                        + "; it is valid only inside that call's body, on its thread");
            }
        }

        private static void required(Object value, String name) {
            if (value == null) {
                throw new SfsArgumentException(name + " is null");
            }
        }

        @Override
        public VnodeId create(long size) {
            ensureUsable();
            checkSize(size);
            return VnodeId.fromLong(createIn(tx, size));
        }

        @Override
        public VnodeId spawn(VnodeId parent) {
            ensureUsable();
            required(parent, "parent");
            return VnodeId.fromLong(spawnIn(tx, lockedVnode(parent)));
        }

        @Override
        public void delete(VnodeId id) {
            ensureUsable();
            required(id, "id");
            long vnode = lockedVnode(id);
            live(tx, vnode);
            tx.useReserve(true);
            markDeleting(tx, vnode);
            tx.useReserve(false);
            deleted.add(id.index());
        }

        @Override
        public DescriptorId createDescriptor(int type, MemorySegment payload) {
            ensureUsable();
            checkUserType(type);
            checkPayload(payload);
            long id = descriptors.create(tx, type, payload);
            return new DescriptorId(Ids.index(id), Ids.generation(id));
        }

        @Override
        public void updateDescriptor(DescriptorId id, MemorySegment payload) {
            ensureUsable();
            required(id, "id");
            checkPayload(payload);
            long packed = Ids.of(id.index(), id.generation());
            userDescriptor(tx, packed);
            descriptors.update(tx, packed, payload);
        }

        @Override
        public void freeDescriptor(DescriptorId id) {
            ensureUsable();
            required(id, "id");
            long packed = Ids.of(id.index(), id.generation());
            userDescriptor(tx, packed);
            descriptors.free(tx, packed);
        }

        private long lockedVnode(VnodeId id) {
            long packed = id.toLong();
            checkUserVnode(packed);
            if (!lockOf(id.index()).isWriteLockedByCurrentThread()) {
                throw new SfsArgumentException(id + " was not named among the vnodes the atomic change locks");
            }
            return packed;
        }
    }

    /** The space vnode {@code id} takes, from one consistent state of the metadata. */
    public VnodeSpace space(long id) {
        checkUserVnode(id);
        lockMeta();
        try {
            return trees.space(cache, live(cache, id));
        } finally {
            meta.unlock();
        }
    }

    /** The logical blocks whose data blocks differ between vnodes {@code a} and {@code b}; from metadata only. */
    public List<BlockRange> diff(long a, long b) {
        checkUserVnode(a);
        checkUserVnode(b);
        lockMeta();
        try {
            return trees.diff(cache, live(cache, a), live(cache, b));
        } finally {
            meta.unlock();
        }
    }

    /** The logical blocks vnode {@code id} maps; from metadata only. */
    public List<BlockRange> mapped(long id) {
        checkUserVnode(id);
        lockMeta();
        try {
            return trees.diff(cache, live(cache, id), null);
        } finally {
            meta.unlock();
        }
    }

    /** The virtual size of vnode {@code id} in bytes. */
    public long size(long id) {
        checkUserVnode(id);
        return live(cache, id).size();
    }

    /** Changes the virtual size; blocks beyond a smaller size are discarded. */
    public void resize(long id, long size) {
        checkUserVnode(id);
        checkSize(size);
        int index = Ids.index(id);
        ReentrantReadWriteLock lock = lockOf(index);
        lock.writeLock().lock();
        try {
            long old = live(cache, id).size();
            if (size < old) {
                long firstDropped = (size + Blocks.SIZE - 1) >>> Blocks.SHIFT;
                long partial = size & (Blocks.SIZE - 1);
                if (partial != 0) {
                    zeroRange(index, size, Blocks.SIZE - partial);
                }
                discardBlocks(index, firstDropped, (old + Blocks.SIZE - 1) >>> Blocks.SHIFT);
            }
            lockMeta();
            try (Transaction tx = begin()) {
                vnodes.modify(tx, index).size(size);
                tx.commit();
                durable();
            } finally {
                meta.unlock();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Ids of every live vnode but the descriptor vnode. */
    public List<Long> list() {
        ensureOpen();
        List<Long> ids = new ArrayList<>();
        for (int index = 0; index < geometry.vnodes(); index++) {
            VnodeRecord record = vnodes.read(cache, index);
            long id = Ids.of(index, record.generation());
            if (record.flags() == VnodeRecord.IN_USE && id != superblock.descriptorVnode()) {
                ids.add(id);
            }
        }
        return ids;
    }

    // ------------------------------------------------------------------ I/O

    /** Reads {@code dst.byteSize()} bytes at byte {@code offset} of vnode {@code id}; holes read as zeros. */
    public void read(long id, long offset, MemorySegment dst) {
        checkUserVnode(id);
        if (dst.isReadOnly()) {
            throw new SfsArgumentException("the destination of a read is a read-only segment");
        }
        int index = Ids.index(id);
        ReentrantReadWriteLock lock = lockOf(index);
        lock.readLock().lock();
        try {
            VnodeRecord record = live(cache, id);
            checkRange(record, offset, dst.byteSize());
            long done = 0;
            while (done < dst.byteSize()) {
                long position = offset + done;
                long lb = position >>> Blocks.SHIFT;
                int within = (int) (position & (Blocks.SIZE - 1));
                long piece = Math.min(dst.byteSize() - done, Blocks.SIZE - within);
                MemorySegment part = dst.asSlice(done, piece);
                int pointer = map.lookup(cache, record, lb);
                if (pointer == 0) {
                    part.fill((byte) 0);
                } else {
                    store.read(Pointers.block(pointer), within, part);
                }
                done += piece;
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Writes {@code src} at byte {@code offset} of vnode {@code id}: straight into blocks the
     * vnode owns, through copy-on-write otherwise.
     */
    public void write(long id, long offset, MemorySegment src) {
        refuseInsideAtomically(); // even into owned blocks: a spawn in the batch may share them
        checkUserVnode(id);
        int index = Ids.index(id);
        ReentrantReadWriteLock lock = lockOf(index);
        lock.readLock().lock();
        try {
            VnodeRecord record = live(cache, id);
            checkRange(record, offset, src.byteSize());
            if (allOwned(record, offset, src.byteSize())) {
                for (long done = 0; done < src.byteSize(); ) {
                    long position = offset + done;
                    int within = (int) (position & (Blocks.SIZE - 1));
                    long piece = Math.min(src.byteSize() - done, Blocks.SIZE - within);
                    int pointer = map.lookup(cache, record, position >>> Blocks.SHIFT);
                    store.write(Pointers.block(pointer), within, src.asSlice(done, piece));
                    done += piece;
                }
                return;
            }
        } finally {
            lock.readLock().unlock();
        }
        lock.writeLock().lock();
        try {
            // Checked again: a resize may have shrunk the vnode while no lock was held.
            checkRange(live(cache, id), offset, src.byteSize());
            writeCopying(index, offset, src, false);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Whether every block of the range is exclusively the vnode's: the write changes no metadata. */
    private boolean allOwned(VnodeRecord record, long offset, long length) {
        if (length == 0) {
            return true;
        }
        for (long lb = offset >>> Blocks.SHIFT; lb <= (offset + length - 1) >>> Blocks.SHIFT; lb++) {
            if (!Pointers.owned(map.lookup(cache, record, lb))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The slow path. Per batch of up to {@value #BLOCKS_PER_TRANSACTION} blocks, in one
     * transaction: every block is made writable first (allocations, copies of metadata), so a
     * lack of space is found before any data of the batch is written; then the data goes to the
     * blocks; then the transaction commits.
     *
     * @param useReserve whether allocations may take the reserved blocks (discard and shrink,
     *                   which give back at least what they take)
     */
    private void writeCopying(int index, long offset, MemorySegment src, boolean useReserve) {
        long home = geometry.firstData(index / geometry.vnodesPerGroup());
        BlockMap.Target[] targets = new BlockMap.Target[BLOCKS_PER_TRANSACTION];
        for (long done = 0; done < src.byteSize(); ) {
            lockMeta();
            try (Transaction tx = begin()) {
                tx.useReserve(useReserve);
                int n = 0;
                for (long at = done; n < BLOCKS_PER_TRANSACTION && at < src.byteSize(); n++) {
                    long position = offset + at;
                    long piece = Math.min(src.byteSize() - at, Blocks.SIZE - (position & (Blocks.SIZE - 1)));
                    targets[n] = map.prepareWrite(tx, index, position >>> Blocks.SHIFT, piece == Blocks.SIZE, home);
                    at += piece;
                }
                for (int i = 0; i < n; i++) {
                    long position = offset + done;
                    int within = (int) (position & (Blocks.SIZE - 1));
                    long piece = Math.min(src.byteSize() - done, Blocks.SIZE - within);
                    MemorySegment part = src.asSlice(done, piece);
                    BlockMap.Target target = targets[i];
                    if (target.copyFrom() != 0 || target.zeroFill()) {
                        if (target.copyFrom() != 0) {
                            store.read(target.copyFrom(), 0, blockBuffer);
                        } else {
                            blockBuffer.fill((byte) 0);
                        }
                        MemorySegment.copy(part, 0, blockBuffer, within, piece);
                        store.write(target.block(), 0, blockBuffer);
                    } else {
                        store.write(target.block(), within, part);
                    }
                    done += piece;
                }
                tx.commit();
            } finally {
                meta.unlock();
            }
        }
    }

    /**
     * Drops the bytes {@code [offset, offset + length)}: whole blocks lose their reference and
     * read as zeros, partial blocks at the edges are overwritten with zeros.
     */
    public void discard(long id, long offset, long length) {
        refuseInsideAtomically(); // even into owned blocks: a spawn in the batch may share them
        checkUserVnode(id);
        int index = Ids.index(id);
        ReentrantReadWriteLock lock = lockOf(index);
        lock.writeLock().lock();
        try {
            checkRange(live(cache, id), offset, length);
            long end = offset + length;
            long firstWhole = (offset + Blocks.SIZE - 1) >>> Blocks.SHIFT;
            long endWhole = end >>> Blocks.SHIFT;
            if (firstWhole >= endWhole) {
                zeroRange(index, offset, length);
                return;
            }
            zeroRange(index, offset, Blocks.bytes(firstWhole) - offset);
            zeroRange(index, Blocks.bytes(endWhole), end - Blocks.bytes(endWhole));
            discardBlocks(index, firstWhole, endWhole);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Writes zeros over {@code [offset, offset + length)} inside blocks that exist; holes stay holes. */
    private void zeroRange(int index, long offset, long length) {
        if (length <= 0) {
            return;
        }
        VnodeRecord record = vnodes.read(cache, index);
        for (long done = 0; done < length; ) {
            long position = offset + done;
            long piece = Math.min(length - done, Blocks.SIZE - (position & (Blocks.SIZE - 1)));
            if (map.lookup(cache, record, position >>> Blocks.SHIFT) != 0) {
                writeCopying(index, position, MemorySegment.ofArray(new byte[(int) piece]), true);
                record = vnodes.read(cache, index);
            }
            done += piece;
        }
    }

    /** Drops every mapped block in {@code [from, to)}, skipping unmapped subtrees whole. */
    private void discardBlocks(int index, long from, long to) {
        long home = geometry.firstData(index / geometry.vnodesPerGroup());
        for (long lb = from; lb < to; ) {
            lockMeta();
            try (Transaction tx = begin()) {
                tx.useReserve(true);
                for (int n = 0; n < RELEASE_BUDGET && lb < to; n++) {
                    lb = map.nextMapped(tx, vnodes.read(tx, index), lb, to);
                    if (lb < to) {
                        map.discard(tx, index, lb, home);
                        lb++;
                    }
                }
                tx.commit();
            } finally {
                meta.unlock();
            }
        }
    }

    // ------------------------------------------------------------------ descriptors

    /** Stores a new descriptor at the lowest free index and returns its id. */
    public long createDescriptor(int type, MemorySegment payload) {
        DescriptorId id = atomically(new long[0], batch -> batch.createDescriptor(type, payload));
        return Ids.of(id.index(), id.generation());
    }

    /** Replaces the payload of a descriptor. */
    public void updateDescriptor(long id, MemorySegment payload) {
        atomically(new long[0], batch -> {
            batch.updateDescriptor(new DescriptorId(Ids.index(id), Ids.generation(id)), payload);
            return null;
        });
    }

    /** Frees a descriptor. */
    public void freeDescriptor(long id) {
        atomically(new long[0], batch -> {
            batch.freeDescriptor(new DescriptorId(Ids.index(id), Ids.generation(id)));
            return null;
        });
    }

    /** A descriptor: its type and a copy of its payload. */
    public Descriptor readDescriptor(long id) {
        lockMeta();
        try {
            ensureOpen();
            DescriptorRecord record = userDescriptor(cache, id);
            return new Descriptor(new DescriptorId(Ids.index(id), Ids.generation(id)), record.type(),
                    record.payload().toArray(ValueLayout.JAVA_BYTE));
        } finally {
            meta.unlock();
        }
    }

    /**
     * Calls {@code action} with every live descriptor of one of {@code types}, in index order, in
     * one pass, under the metadata lock.
     */
    public void forEachDescriptor(java.util.Set<Integer> types, java.util.function.Consumer<Descriptor> action) {
        for (Integer type : types) {
            if (type == null) {
                throw new SfsArgumentException("types contains null");
            }
            checkUserType(type);
        }
        lockMeta();
        try {
            ensureOpen();
            descriptors.forEach(cache, types::contains, (record, id) -> action.accept(new Descriptor(
                    new DescriptorId(Ids.index(id), Ids.generation(id)), record.type(),
                    record.payload().toArray(ValueLayout.JAVA_BYTE))));
        } finally {
            meta.unlock();
        }
    }

    /** Ids of the live descriptors of {@code type}, in index order. */
    public List<Long> descriptorsOfType(int type) {
        checkUserType(type);
        lockMeta();
        try {
            ensureOpen();
            return descriptors.ofType(cache, type);
        } finally {
            meta.unlock();
        }
    }

    // ------------------------------------------------------------------ check and repair

    /** Every inconsistency in the metadata; empty when the file system is consistent. */
    public List<String> check() {
        lockMeta();
        try {
            ensureOpen();
            return new Checker(this).check(cache);
        } finally {
            meta.unlock();
        }
    }

    /** Fixes wrong counts, leaks, promising owner bits, bitmaps; returns what was wrong. */
    public List<String> repair() {
        lockMeta();
        try {
            ensureOpen();
            journal.commit();
            journal.checkpoint();
            try (Transaction tx = beginUnjournaled()) {
                List<String> fixed = new Checker(this).repair(tx);
                tx.commit();
                writeBackupTables();
                writeSuperblocks(superblock);
                flushStore();
                return fixed;
            } catch (RuntimeException e) {
                try {
                    countFreeBlocks(); // the group table as far as the failed repair's writes got
                } catch (RuntimeException again) {
                    e.addSuppressed(again);
                }
                throw e;
            }
        } finally {
            meta.unlock();
        }
    }

    // ------------------------------------------------------------------ space, flush, close

    /**
     * Grows into the blocks the store has beyond the file system ({@code Growth}); returns the
     * data blocks.
     */
    public long grow() {
        lockMeta();
        try {
            ensureOpen();
            return new Growth(this).grow();
        } finally {
            meta.unlock();
        }
    }

    /**
     * Free data blocks (including the reserve) as of the last commit, read without the metadata
     * lock: a transaction still open (whose allocations may yet be rolled back) does not show.
     */
    public long freeBlocks() {
        ensureOpen();
        return committedFreeBlocks;
    }

    /** Data blocks in all groups. */
    public long dataBlocks() {
        return geometry.totalDataBlocks();
    }

    /** Store blocks the file system may grow to, as reserved at format. */
    public long maxBlocks() {
        return geometry.maxBlocks();
    }

    /** The superblock as last written. */
    public Superblock superblock() {
        return superblock;
    }

    /**
     * Makes everything written before the call durable: the data, and the metadata through one
     * journal commit (even an empty one: a flush of the store, for the writes into owned blocks).
     * It waits for a commit already in flight, and holds the metadata lock only to take the
     * running transaction, so writers go on while its I/O runs.
     */
    public void flush() {
        commitOutsideLock(true);
    }

    /**
     * Commits the running transaction with the metadata lock held only for {@link Journal#begin}:
     * the wait for the commit in flight and the I/O run without it.
     *
     * @param evenIfEmpty whether an empty transaction commits too (a flush of the store)
     */
    private void commitOutsideLock(boolean evenIfEmpty) {
        journal.awaitIdle();
        Journal.Committing taken;
        lockMeta();
        try {
            ensureOpen();
            taken = journal.begin(evenIfEmpty);
        } finally {
            meta.unlock();
        }
        if (taken != null) {
            journal.write(taken);
        }
    }

    /**
     * Marks the file system clean and flushes. Idempotent. A periodic commit in flight is let
     * finish (an interrupt could close the store's file channels in the middle of its I/O).
     */
    public synchronized void close() {
        refuseInsideAtomically();
        if (closed) {
            return;
        }
        boolean interrupted = false;
        if (committer != null) {
            committer.shutdown();
            try {
                if (!committer.awaitTermination(COMMITTER_STOP_SECONDS, java.util.concurrent.TimeUnit.SECONDS)) {
                    LOG.warn("the periodic journal commit has not ended within {} s; close waits for it",
                            COMMITTER_STOP_SECONDS);
                }
            } catch (InterruptedException e) {
                interrupted = true; // restored once close is done: the store's I/O below must not see it
            }
        }
        lockMeta();
        try {
            journal.commit();
            journal.checkpoint();
            writePrimarySuperblock(superblock.withState(Superblock.CLEAN));
            flushStore();
            closed = true;
        } finally {
            meta.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Takes the metadata lock, refusing a call from inside an {@link #atomically} body: the lock
     * is re-entrant, and such a call would commit, persist or roll back the batch's changes,
     * which are in place but not committed.
     *
     * @throws SfsArgumentException if the calling thread runs an {@code atomically} body
     */
    private void lockMeta() {
        refuseInsideAtomically();
        meta.lock();
    }

    private void refuseInsideAtomically() {
        if (atomicallyThread == Thread.currentThread()) {
            throw new SfsArgumentException("a file-system operation was called from inside an atomic change;"
                    + " only the SfsBatch it was handed may be used there");
        }
    }

    /** Starts a transaction; the caller holds the metadata lock. */
    Transaction begin() {
        ensureOpen();
        return new Transaction(cache, journal, this::freeBlocksCommitted);
    }

    /**
     * Starts a transaction whose commit writes its blocks home at once, past the journal
     * (growth's new groups, repair); the caller holds the metadata lock.
     */
    Transaction beginUnjournaled() {
        ensureOpen();
        return new Transaction(cache, null, this::freeBlocksCommitted);
    }

    /** A commit changed the free data blocks by {@code delta}; under the metadata lock, or in format and open. */
    private void freeBlocksCommitted(long delta) {
        committedFreeBlocks += delta;
    }

    /** Sets the committed free total from the group table, which no transaction is changing. */
    private void countFreeBlocks() {
        committedFreeBlocks = groups.totalFreeBlocks(cache);
    }

    /**
     * Commits the running transaction durably, in this thread and under the metadata lock the
     * caller holds (and keeps: its I/O included).
     */
    void durable() {
        journal.commit();
    }

    /**
     * Flushes the store outside a journal commit, once the commit in flight (if any) has ended,
     * so no two flushes overlap; the caller holds the metadata lock, so no commit begins meanwhile.
     */
    void flushStore() {
        journal.flushStore();
    }

    /** Starts using {@code j} for every transaction. */
    private void attach(Journal j) {
        this.journal = j;
        cache.pin(j::isRunning);
    }

    /**
     * Starts the periodic commit if {@code commitMillis > 0}: only once format or open is done,
     * for they run transactions of their own without the metadata lock.
     */
    private void startCommitter(long commitMillis) {
        if (commitMillis > 0) {
            committer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("coems-sfs-commit").daemon().factory());
            committer.scheduleWithFixedDelay(this::periodicCommit, commitMillis, commitMillis,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    /** The committer's task: commits the running transaction, if not empty, outside the metadata lock. */
    private void periodicCommit() {
        try {
            commitOutsideLock(false);
        } catch (RuntimeException | Error e) { // an Error would end the schedule without a word
            LOG.warn("periodic journal commit failed: {}", e.toString());
        }
    }

    /** Reads the start of block {@code block} (as much as {@code dst} holds) straight from the store, past the cache. */
    void readRaw(long block, MemorySegment dst) {
        store.read(block, 0, dst);
    }

    /** The journal region: first block and length. */
    long[] journalRegion() {
        return new long[] {superblock.journalStart(), superblock.journalBlocks()};
    }

    Geometry geometry() {
        return geometry;
    }

    MetaCache cache() {
        return cache;
    }

    BlockCounts counts() {
        return counts;
    }

    VnodeTable vnodes() {
        return vnodes;
    }

    GroupTable groups() {
        return groups;
    }

    ReentrantLock metaLock() {
        return meta;
    }

    BlockMap map() {
        return map;
    }

    /** The record of live vnode {@code id}. */
    VnodeRecord live(MetaView view, long id) {
        ensureOpen();
        int index = Ids.index(id);
        if (index < 0 || index >= geometry.vnodes()) {
            throw new SfsNotFoundException("vnode " + Ids.format(id) + " does not exist (index out of range)");
        }
        VnodeRecord record = vnodes.read(view, index);
        if (record.flags() != VnodeRecord.IN_USE || record.generation() != Ids.generation(id)) {
            throw new SfsNotFoundException("vnode " + Ids.format(id) + " does not exist: "
                    + ((record.flags() & VnodeRecord.DELETING) != 0 ? "it is being deleted"
                    : record.flags() == 0 ? "its slot is free" : "its slot now holds generation " + record.generation()));
        }
        return record;
    }

    private ReentrantReadWriteLock lockOf(int index) {
        return vnodeLocks[stripe(index)];
    }

    private static int stripe(int index) {
        return Math.floorMod(index * 0x9E3779B9, VNODE_LOCKS);
    }

    /** The record of live descriptor {@code id}, unless it is one of SFS's own. */
    private DescriptorRecord userDescriptor(MetaView view, long id) {
        DescriptorRecord record = descriptors.live(view, id);
        if (record.type() == Descriptors.ORPHAN) {
            throw new SfsNotFoundException("descriptor " + Ids.format(id) + " is SFS's own");
        }
        return record;
    }

    /** Refuses a payload that is null or whose arena is closed, before anything changes. */
    private static void checkPayload(MemorySegment payload) {
        if (payload == null) {
            throw new SfsArgumentException("payload is null");
        }
        if (!payload.scope().isAlive()) {
            throw new SfsArgumentException("the payload segment's arena is closed");
        }
    }

    private static void checkUserType(int type) {
        if (type < 1 || type >= Descriptors.ORPHAN) {
            throw new SfsArgumentException("descriptor type " + type + " is not from 1 to " + (Descriptors.ORPHAN - 1)
                    + " (" + Descriptors.ORPHAN + " is SFS's own)");
        }
    }

    private void checkUserVnode(long id) {
        if (id == superblock.descriptorVnode()) {
            throw new SfsArgumentException(Ids.format(id) + " is the descriptor vnode; use the descriptor operations");
        }
    }

    /** The descriptor table. */
    Descriptors descriptors() {
        return descriptors;
    }

    /** The id of the vnode that holds the descriptors. */
    long descriptorVnode() {
        return superblock.descriptorVnode();
    }

    private static void checkSize(long size) {
        if (size < 0 || size > Blocks.bytes(BlockMap.MAX_BLOCKS)) {
            throw new SfsArgumentException("size " + size + " is not from 0 to " + Blocks.bytes(BlockMap.MAX_BLOCKS)
                    + " bytes");
        }
    }

    private static void checkRange(VnodeRecord record, long offset, long length) {
        if (offset < 0 || length < 0 || offset > record.size() || length > record.size() - offset) {
            throw new SfsArgumentException("range of " + length + " bytes at offset " + offset
                    + " is not inside the vnode's " + record.size() + " bytes");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new SfsClosedException("the file system is closed");
        }
        if (journal != null) {
            journal.checkNotStopped();
        }
    }
}

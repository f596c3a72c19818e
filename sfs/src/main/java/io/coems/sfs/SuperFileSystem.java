package io.coems.sfs;

import io.coems.matrix.BlockStore;
import io.coems.sfs.engine.Engine;
import io.coems.sfs.engine.Ids;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The Super File System: it manages the blocks of a Storage Matrix (or any {@link BlockStore})
 * for the volumes above it. It has no directories and no files; it has <b>vnodes</b>, one per
 * volume state, each a thin copy-on-write map of up to 64 TiB of 64 KiB blocks.
 *
 * <p>{@link #spawn} makes a child that sees exactly its parent's data in O(1), whatever the
 * size: both share every block, and a later write copies only what it touches. Blocks are
 * reference-counted; deleting a vnode frees exactly the blocks no other vnode references.
 *
 * <p>Thread-safe. I/O to different vnodes runs in parallel; writes into blocks a vnode owns
 * change no metadata. Every metadata change is one transaction: an operation that fails (no
 * space, bad argument) changes nothing.
 *
 * <p>Durability: a write is durable once a later {@link #flush()} returns; until then a power
 * cut leaves each of its 4 KiB sectors old or new, never another vnode's data. Metadata goes
 * through a redo journal with group commit (on flush, every {@code commitMillis}, and when
 * enough has changed); {@link #create}, {@link #spawn}, {@link #delete}, {@link #resize} and
 * the descriptor operations are durable when they return. Open replays the journal.
 */
public final class SuperFileSystem implements AutoCloseable {
    private final Engine engine;
    private final List<String> openNotes;

    private SuperFileSystem(Engine engine, List<String> openNotes) {
        this.engine = engine;
        this.openNotes = List.copyOf(openNotes);
    }

    /**
     * Formats {@code store} with a new, empty file system, overwriting whatever it held.
     *
     * @throws SfsArgumentException if the store is too small for the layout, or larger than
     *                              {@link SfsOptions#maxBlocks()}
     */
    public static SuperFileSystem format(BlockStore store, SfsOptions options) {
        required(store, "store");
        required(options, "options");
        return new SuperFileSystem(Engine.format(store, options.groupBlocks(), options.vnodesPerGroup(),
                options.cacheBlocks(), options.commitMillis(), options.maxBlocks()), List.of());
    }

    /**
     * Opens the file system in {@code store}. A damaged primary superblock or group-descriptor
     * table is replaced from a backup; {@link #openNotes()} says so.
     *
     * @throws SfsFormatException if the store holds no SFS, or one this code cannot open
     * @throws SfsCorruptException if metadata is damaged beyond its backups
     */
    public static SuperFileSystem open(BlockStore store, SfsOptions options) {
        required(store, "store");
        required(options, "options");
        List<String> notes = new ArrayList<>();
        Engine engine = Engine.open(store, options.cacheBlocks(), options.commitMillis(), notes);
        return new SuperFileSystem(engine, notes);
    }

    /** What opening found and fixed (a backup superblock used, an unclean shutdown). */
    public List<String> openNotes() {
        return openNotes;
    }

    /**
     * Creates an empty vnode of {@code size} bytes: it reads as zeros and takes no space.
     *
     * @throws SfsArgumentException if the size is negative or above 64 TiB
     * @throws SfsNoSpaceException if every vnode slot is taken
     */
    public VnodeId create(long size) {
        return VnodeId.fromLong(engine.create(size));
    }

    /**
     * Creates a child of {@code parent} that sees exactly the parent's data, in O(1).
     *
     * @throws SfsNotFoundException if the parent does not exist
     * @throws SfsNoSpaceException if every vnode slot is taken
     */
    public VnodeId spawn(VnodeId parent) {
        required(parent, "parent");
        return VnodeId.fromLong(engine.spawn(parent.toLong()));
    }

    /**
     * Deletes a vnode and frees the blocks no other vnode references. Large vnodes are released
     * in bounded steps that let other I/O run in between; an interrupted delete resumes when the
     * file system is next opened.
     *
     * @throws SfsNotFoundException if the vnode does not exist
     */
    public void delete(VnodeId id) {
        required(id, "id");
        engine.delete(id.toLong());
    }

    /**
     * Runs {@code body} as one atomic change: what it does through its {@link SfsBatch} (create,
     * spawn, delete vnodes; create, update, free descriptors) is durable together when this
     * returns, or, after a power cut before that, absent together. If {@code body} throws,
     * nothing it did stays, and the exception propagates. Deleted vnodes release their blocks
     * once the change is durable; if that fails (an unreadable index block), the change still
     * returns, and the next open finishes the release. The layers above build their
     * multi-step operations on this (a snapshot is a spawn plus its descriptor).
     *
     * @param locked the vnodes the batch spawns from or deletes; their locks are held for the
     *               whole change, taken in an order that rules out deadlock between changes
     * @throws SfsArgumentException if the batch touches a vnode not named in {@code locked}, or
     *                               if {@code body} calls an operation of this file system
     *                               that changes or persists anything (write, discard, resize,
     *                               flush, grow, repair, close, another {@code atomically}, ...)
     *                               instead of its batch
     */
    public <T> T atomically(java.util.Collection<VnodeId> locked, java.util.function.Function<SfsBatch, T> body) {
        required(locked, "locked");
        required(body, "body");
        for (VnodeId id : locked) {
            if (id == null) {
                throw new SfsArgumentException("locked contains null");
            }
        }
        return engine.atomically(locked.stream().mapToLong(VnodeId::toLong).toArray(), body);
    }

    /**
     * The space vnode {@code id} takes: its mapped data blocks, those only it references, and
     * the blocks its delete would free; exact, from one consistent state of the metadata.
     *
     * @throws SfsNotFoundException if the vnode does not exist
     */
    public VnodeSpace space(VnodeId id) {
        required(id, "id");
        return engine.space(id.toLong());
    }

    /**
     * The logical blocks at which {@code a} and {@code b} map different data blocks, in order,
     * adjacent blocks merged; from metadata only, skipping every subtree the two share, so the
     * cost follows the difference. Blocks that differ only in that both were rewritten with
     * equal bytes are reported too (the answer is a superset of the changed content, never less).
     *
     * @throws SfsNotFoundException if either vnode does not exist
     */
    public List<BlockRange> diff(VnodeId a, VnodeId b) {
        required(a, "a");
        required(b, "b");
        return engine.diff(a.toLong(), b.toLong());
    }

    /**
     * The logical blocks {@code id} maps (the rest are holes that read as zeros), in order,
     * adjacent blocks merged: the basis of sparse export.
     *
     * @throws SfsNotFoundException if the vnode does not exist
     */
    public List<BlockRange> mapped(VnodeId id) {
        required(id, "id");
        return engine.mapped(id.toLong());
    }

    /**
     * The ids of every live vnode.
     *
     * @throws SfsClosedException if the file system is closed
     */
    public List<VnodeId> vnodes() {
        return engine.list().stream().map(VnodeId::fromLong).toList();
    }

    /**
     * The virtual size of a vnode in bytes.
     *
     * @throws SfsNotFoundException if the vnode does not exist
     */
    public long size(VnodeId id) {
        required(id, "id");
        return engine.size(id.toLong());
    }

    /**
     * Changes the virtual size; bytes beyond a smaller size are dropped.
     *
     * @throws SfsArgumentException if the size is negative or above 64 TiB
     */
    public void resize(VnodeId id, long size) {
        required(id, "id");
        engine.resize(id.toLong(), size);
    }

    /**
     * Reads {@code dst.byteSize()} bytes at byte {@code offset}; never-written bytes read as zeros.
     *
     * @throws SfsArgumentException if the range is not inside the vnode, or {@code dst} is
     *                              read-only or its arena closed
     * @throws SfsNotFoundException if the vnode does not exist
     */
    public void read(VnodeId id, long offset, MemorySegment dst) {
        required(id, "id");
        segment(dst, "dst");
        engine.read(id.toLong(), offset, dst);
    }

    /**
     * Writes {@code src} at byte {@code offset}, copying shared blocks first.
     *
     * @throws SfsArgumentException if the range is not inside the vnode, or the arena of
     *                              {@code src} is closed; nothing is written
     * @throws SfsNoSpaceException if a copy or a new block finds no space. A write of up to 64
     *                             blocks then changes nothing; a longer one is done in steps of 64
     *                             blocks, and the steps before the refused one stay written
     * @throws SfsNotFoundException if the vnode does not exist
     */
    public void write(VnodeId id, long offset, MemorySegment src) {
        required(id, "id");
        segment(src, "src");
        engine.write(id.toLong(), offset, src);
    }

    /**
     * Drops {@code length} bytes at {@code offset}: they read as zeros afterwards, and whole
     * blocks give their space back (trim and write-zeroes both come here). Holes cost nothing,
     * and the reserve may be used for index copies, so it works on a full pool.
     *
     * @throws SfsArgumentException if the range is not inside the vnode
     */
    public void discard(VnodeId id, long offset, long length) {
        required(id, "id");
        engine.discard(id.toLong(), offset, length);
    }

    /**
     * Stores a new descriptor (a typed record of at most 2036 bytes for the layers above) at the
     * lowest free index; durable when this returns, like every metadata change.
     *
     * @param type {@link Descriptor#VOLUME}, {@link Descriptor#CLIENT}, or another value from 1
     *             to 65534 reserved for later layers (65535 is SFS's own)
     * @throws SfsArgumentException if the type or payload size is out of range
     * @throws SfsNoSpaceException if a new descriptor block finds no space
     */
    public DescriptorId createDescriptor(int type, MemorySegment payload) {
        required(payload, "payload");
        return unpack(engine.createDescriptor(type, payload));
    }

    /**
     * Reads a descriptor.
     *
     * @throws SfsNotFoundException if it was freed or never existed
     */
    public Descriptor readDescriptor(DescriptorId id) {
        required(id, "id");
        return engine.readDescriptor(pack(id));
    }

    /**
     * Replaces a descriptor's payload; its type stays.
     *
     * @throws SfsNotFoundException if it was freed or never existed
     * @throws SfsArgumentException if the payload is too large
     */
    public void updateDescriptor(DescriptorId id, MemorySegment payload) {
        required(id, "id");
        required(payload, "payload");
        engine.updateDescriptor(pack(id), payload);
    }

    /**
     * Frees a descriptor; its index is reused later with a new generation.
     *
     * @throws SfsNotFoundException if it was freed or never existed
     */
    public void freeDescriptor(DescriptorId id) {
        required(id, "id");
        engine.freeDescriptor(pack(id));
    }

    /** The ids of the live descriptors of {@code type}, in index order. */
    public List<DescriptorId> descriptors(int type) {
        return engine.descriptorsOfType(type).stream().map(SuperFileSystem::unpack).toList();
    }

    /**
     * Calls {@code action} with every live descriptor of one of {@code types}, payload included,
     * in index order: one pass over the descriptor table, from one consistent state. Cheaper
     * than {@link #descriptors} plus a {@link #readDescriptor} each when loading many records
     * (the table is read once, not once per type and once more for the payloads).
     * {@code action} runs under the metadata lock and must not call back into the file system.
     *
     * @throws SfsArgumentException if a type is not a user type (1 to 65534)
     */
    public void forEachDescriptor(java.util.Set<Integer> types, java.util.function.Consumer<Descriptor> action) {
        required(types, "types");
        required(action, "action");
        engine.forEachDescriptor(types, action);
    }

    private static void required(Object value, String name) {
        if (value == null) {
            throw new SfsArgumentException(name + " is null");
        }
    }

    /** A segment to read from or into: not null, its arena not closed. */
    private static void segment(MemorySegment segment, String name) {
        if (segment == null) {
            throw new SfsArgumentException(name + " is null");
        }
        if (!segment.scope().isAlive()) {
            throw new SfsArgumentException(name + ": the segment's arena is closed");
        }
    }

    private static long pack(DescriptorId id) {
        return Ids.of(id.index(), id.generation());
    }

    private static DescriptorId unpack(long id) {
        return new DescriptorId(Ids.index(id), Ids.generation(id));
    }

    /**
     * Walks every vnode and verifies the metadata: reference counts equal the pointers naming
     * each block, owner bits set along a whole path name blocks with count 1, group counts and
     * vnode bitmaps match. Returns every problem found; empty when consistent.
     */
    public List<String> check() {
        return engine.check();
    }

    /**
     * Fixes what {@link #check()} finds that can be derived from the vnode trees (wrong counts,
     * leaked blocks, owner bits that promise too much, group counts, bitmap bits) and returns
     * the problems it fixed.
     */
    public List<String> repair() {
        return engine.repair();
    }

    /**
     * Grows into the blocks the store gained since format or the last growth (a Storage Matrix
     * grows with {@code addLbs}): fills up a last partial group and adds every whole group that
     * fits, with its data blocks and vnode slots; a last group too small for its metadata and
     * one data block is left unused, as format does. Nothing already laid out moves, and I/O to
     * existing vnodes goes on meanwhile (allocations wait). Durable when it returns; a power cut
     * during it opens as before the growth or after it. Returns at once if the store has not
     * grown enough for anything to add.
     *
     * @return the data blocks of the file system afterwards
     * @throws SfsArgumentException if the store exceeds the maximum size the file system was
     *                              formatted to grow to ({@link SfsOptions#maxBlocks()}); nothing
     *                              is changed
     */
    public long grow() {
        return engine.grow();
    }

    /** Free data blocks, the reserve for deletes included. */
    public long freeBlocks() {
        return engine.freeBlocks();
    }

    /** Data blocks in the file system. */
    public long dataBlocks() {
        return engine.dataBlocks();
    }

    /**
     * Store blocks the file system may {@linkplain #grow() grow} to: {@link SfsOptions#maxBlocks()}
     * as given at format, whatever the options it was opened with.
     */
    public long maxBlocks() {
        return engine.maxBlocks();
    }

    /** Makes every completed write durable. */
    public void flush() {
        engine.flush();
    }

    /** Marks the file system clean and flushes; the store stays open (its owner closes it). */
    @Override
    public void close() {
        engine.close();
    }
}

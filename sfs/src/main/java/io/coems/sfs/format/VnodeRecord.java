package io.coems.sfs.format;

import java.lang.foreign.MemorySegment;

import static io.coems.sfs.format.LittleEndian.INT;
import static io.coems.sfs.format.LittleEndian.LONG;

/**
 * A flyweight over one 256-byte vnode record in a vnode table block.
 *
 * <pre>
 *  offset size  field (little-endian)
 *  0      4     flags: 1 = in use, 2 = being deleted
 *  4      4     generation: +1 each time the slot is freed, so stale ids are detected
 *  8      8     virtual size in bytes
 *  16     16    root pointers [4]: each the root of a two-level radix tree of index blocks
 *               covering 16382 * 16382 blocks (about 16 TiB)
 *  32     8     parent vnode id (index << 32 | generation) it was spawned from, 0 if none
 *  40     8     creation time, milliseconds since the epoch
 *  48     208   reserved, 0
 * </pre>
 *
 * The table block's trailer ({@link MetaBlock}) checksums the records.
 */
public final class VnodeRecord {
    /** Bytes of a record. */
    public static final int SIZE = 256;
    /** Root pointers per vnode. */
    public static final int ROOTS = 4;
    /** Byte offset of root pointer {@code i} within a record. */
    public static long rootOffset(int i) {
        return 16 + 4L * i;
    }

    /** Flag: the slot holds a vnode. */
    public static final int IN_USE = 1;
    /** Flag: the vnode is being deleted; its tree is being released. */
    public static final int DELETING = 2;


    private MemorySegment block;
    private long base;

    /** Points this flyweight at the record at byte {@code offset} of {@code tableBlock}. */
    public VnodeRecord wrap(MemorySegment tableBlock, long offset) {
        this.block = tableBlock;
        this.base = offset;
        return this;
    }

    /** The flags ({@link #IN_USE}, {@link #DELETING}). */
    public int flags() {
        return block.get(INT, base);
    }

    /** Sets the flags. */
    public void flags(int flags) {
        block.set(INT, base, flags);
    }

    /** The slot's generation. */
    public int generation() {
        return block.get(INT, base + 4);
    }

    /** Sets the slot's generation. */
    public void generation(int generation) {
        block.set(INT, base + 4, generation);
    }

    /** The virtual size in bytes. */
    public long size() {
        return block.get(LONG, base + 8);
    }

    /** Sets the virtual size in bytes. */
    public void size(long size) {
        block.set(LONG, base + 8, size);
    }

    /** Root pointer {@code i}. */
    public int root(int i) {
        return block.get(INT, base + rootOffset(i));
    }

    /** Sets root pointer {@code i}. */
    public void root(int i, int pointer) {
        block.set(INT, base + rootOffset(i), pointer);
    }

    /** The id of the vnode this one was spawned from, 0 if none. */
    public long parent() {
        return block.get(LONG, base + 32);
    }

    /** Sets the parent id. */
    public void parent(long id) {
        block.set(LONG, base + 32, id);
    }

    /** Creation time, epoch milliseconds. */
    public long created() {
        return block.get(LONG, base + 40);
    }

    /** Sets the creation time. */
    public void created(long millis) {
        block.set(LONG, base + 40, millis);
    }

    /** Zeroes the record except its generation. */
    public void clearKeepingGeneration() {
        int generation = generation();
        block.asSlice(base, SIZE).fill((byte) 0);
        generation(generation);
    }
}

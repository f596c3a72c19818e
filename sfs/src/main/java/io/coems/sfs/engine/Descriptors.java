package io.coems.sfs.engine;

import io.coems.sfs.SfsArgumentException;
import io.coems.sfs.SfsNotFoundException;
import io.coems.sfs.format.DescriptorRecord;
import io.coems.sfs.format.MetaBlock;
import io.coems.sfs.format.Pointers;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The descriptor table: {@link DescriptorRecord}s in the data blocks of one dedicated vnode,
 * changed only through transactions like all metadata. The lowest free index is taken first;
 * a freed record keeps its index and advances its generation. The type of every record and the
 * free indexes are known in memory, rebuilt by one scan when the file system is opened, so
 * finding the records of a type reads only those records.
 */
final class Descriptors {
    /** Type of SFS's own records of vnodes being deleted (payload: the vnode id). */
    static final int ORPHAN = 0xffff;

    private final Engine engine;
    private final long vnode;
    private final TreeSet<Integer> free = new TreeSet<>();
    /** The type of every record, by index; 0 for a free one. */
    private char[] types = new char[0];
    private int capacity;

    Descriptors(Engine engine, long vnode) {
        this.engine = engine;
        this.vnode = vnode;
        reload();
    }

    /** The data block holding descriptor block {@code lb}, 0 if not allocated. */
    private long block(MetaView view, long lb) {
        return Pointers.block(engine.map().lookup(view, engine.live(view, vnode), lb));
    }

    private DescriptorRecord record(MetaView view, int index) {
        long block = block(view, index / DescriptorRecord.PER_BLOCK);
        return new DescriptorRecord().wrap(view.read(block, MetaBlock.Kind.DESCRIPTORS), index % DescriptorRecord.PER_BLOCK);
    }

    private DescriptorRecord writable(Transaction tx, int index) {
        long block = block(tx, index / DescriptorRecord.PER_BLOCK);
        return new DescriptorRecord().wrap(tx.modify(block, MetaBlock.Kind.DESCRIPTORS),
                index % DescriptorRecord.PER_BLOCK);
    }

    /** Stores a new descriptor at the lowest free index. */
    long create(Transaction tx, int type, MemorySegment payload) {
        checkPayload(type, payload);
        if (free.isEmpty()) {
            grow(tx);
        }
        int index = free.first();
        DescriptorRecord record = writable(tx, index);
        record.set(type, payload, record.generation());
        free.remove(index);
        types[index] = (char) type;
        return Ids.of(index, record.generation());
    }

    /** Adds a block of free records to the descriptor vnode (format adds the first). */
    void grow(Transaction tx) {
        int lb = capacity / DescriptorRecord.PER_BLOCK;
        long home = engine.geometry().firstData(0);
        BlockMap.Target target = engine.map().prepareWrite(tx, Ids.index(vnode), lb, true, home);
        MemorySegment fresh = tx.fresh(target.block(), MetaBlock.Kind.DESCRIPTORS);
        for (int slot = 0; slot < DescriptorRecord.PER_BLOCK; slot++) {
            new DescriptorRecord().wrap(fresh, slot).free();
            free.add(capacity + slot);
        }
        capacity += DescriptorRecord.PER_BLOCK;
        types = java.util.Arrays.copyOf(types, capacity);
    }

    /** The record of live descriptor {@code id}. */
    DescriptorRecord live(MetaView view, long id) {
        int index = Ids.index(id);
        if (index < 0 || index >= capacity) {
            throw new SfsNotFoundException("descriptor " + Ids.format(id) + " does not exist");
        }
        DescriptorRecord record = record(view, index);
        if (record.type() == 0 || record.generation() != Ids.generation(id)) {
            throw new SfsNotFoundException("descriptor " + Ids.format(id) + " does not exist: "
                    + (record.type() == 0 ? "it was freed" : "its index now holds generation " + record.generation()));
        }
        return record;
    }

    /** Replaces the payload of live descriptor {@code id}, keeping its type. */
    void update(Transaction tx, long id, MemorySegment payload) {
        int type = live(tx, id).type();
        checkPayload(type, payload);
        DescriptorRecord record = writable(tx, Ids.index(id));
        record.set(type, payload, record.generation());
    }

    /** Frees live descriptor {@code id}; its index is reused with the next generation. */
    void free(Transaction tx, long id) {
        live(tx, id);
        writable(tx, Ids.index(id)).free();
        free.add(Ids.index(id));
        types[Ids.index(id)] = 0;
    }

    /** Ids of the live descriptors of {@code type}, in index order. */
    List<Long> ofType(MetaView view, int type) {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < capacity; i++) {
            if (types[i] == type) {
                ids.add(Ids.of(i, record(view, i).generation()));
            }
        }
        return ids;
    }

    /**
     * Calls {@code action} with every live record whose type {@code wanted} accepts and its
     * packed id, in index order: one pass over the table.
     */
    void forEach(MetaView view, java.util.function.IntPredicate wanted,
            java.util.function.ObjLongConsumer<DescriptorRecord> action) {
        for (int i = 0; i < capacity; i++) {
            DescriptorRecord record = record(view, i);
            if (record.type() != 0 && wanted.test(record.type())) {
                action.accept(record, Ids.of(i, record.generation()));
            }
        }
    }

    /** Rebuilds the free indexes from the committed records (at open, and after a dropped transaction). */
    void reload() {
        free.clear();
        MetaView view = engine.cache();
        int blocks = 0;
        while (block(view, blocks) != 0) {
            blocks++;
        }
        capacity = blocks * DescriptorRecord.PER_BLOCK;
        types = new char[capacity];
        for (int i = 0; i < capacity; i++) {
            types[i] = (char) record(view, i).type();
            if (types[i] == 0) {
                free.add(i);
            }
        }
    }

    private static void checkPayload(int type, MemorySegment payload) {
        if (type < 1 || type > 0xffff) {
            throw new SfsArgumentException("descriptor type " + type + " is not from 1 to 65535");
        }
        if (payload.byteSize() > DescriptorRecord.MAX_PAYLOAD) {
            throw new SfsArgumentException("descriptor payload of " + payload.byteSize() + " bytes exceeds "
                    + DescriptorRecord.MAX_PAYLOAD);
        }
    }
}

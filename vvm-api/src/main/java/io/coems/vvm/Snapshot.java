package io.coems.vvm;

import io.coems.matrix.ProgressListener;
import io.coems.sfs.SfsException;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * An immutable image of a volume at one moment: an entry of the volume's journal, a state to
 * {@linkplain Volume#revertTo revert} to, and an OE image to {@linkplain VolumePool#clone clone}
 * volumes from. Its content never changes; deleting it changes no other snapshot, volume or
 * clone. Thread-safe. Once the snapshot is deleted, its handle still tells what it was (id,
 * name, size, creation time, volume, parent id), and everything else fails with
 * {@link PoolNotFoundException}.
 */
public final class Snapshot implements BlockImage {
    private final VolumePool pool;
    private final SnapshotRecord record;

    Snapshot(VolumePool pool, SnapshotRecord record) {
        this.pool = pool;
        this.record = record;
    }

    VolumePool pool() {
        return pool;
    }

    /** The record, checked to be still live. */
    SnapshotRecord record() {
        pool.ensureOpen();
        return pool.catalog().snapshot(record.id());
    }

    @Override
    public long id() {
        return record.id();
    }

    @Override
    public String name() {
        return record.name();
    }

    /** The size of the volume when the snapshot was taken. */
    @Override
    public long size() {
        return record.size();
    }

    /** When it was taken. */
    public java.time.Instant created() {
        return java.time.Instant.ofEpochMilli(record.created());
    }

    /** The id of the volume it was taken of (which may have been deleted since). */
    public long volumeId() {
        return record.volume();
    }

    /**
     * Its lineage: the snapshot the volume's state came from when this one was taken (the
     * previous snapshot, the one reverted to, or, for a clone's first snapshot, the image it was
     * cloned from), if any and not deleted.
     */
    public Optional<Snapshot> parent() {
        return pool.snapshotIfLive(record.parent());
    }

    /** The id of {@link #parent()}, 0 if there was none, kept after the parent is deleted. */
    public long parentId() {
        return record.parent();
    }

    @Override
    public void read(long offset, MemorySegment dst) {
        Segments.required(dst, "the destination segment");
        try {
            pool.sfs().read(record().vnode(), offset, dst);
        } catch (SfsException e) {
            throw Errors.translate("read from snapshot " + Names.quoted(record.name()), e);
        }
    }

    @Override
    public VolumeSpace space() {
        try {
            return VolumePool.space(pool.sfs().space(record().vnode()));
        } catch (SfsException e) {
            throw Errors.translate("measure snapshot " + Names.quoted(record.name()), e);
        }
    }

    @Override
    public List<Extent> mapped() {
        try {
            return Transfer.extents(pool.sfs().mapped(record().vnode()), record.size());
        } catch (SfsException e) {
            throw Errors.translate("map snapshot " + Names.quoted(record.name()), e);
        }
    }

    @Override
    public void exportTo(Path file, ProgressListener progress) {
        Transfer.export(this, file, progress);
    }

    /** Deletes the snapshot, freeing the blocks only it used ({@link VolumeSpace#reclaimable()}). */
    public void delete() {
        pool.change("delete snapshot " + Ids.format(record.id()), () -> {
            pool.catalog().deleteSnapshot(record());
            return pool.event(PoolEvent.Kind.SNAPSHOT_DELETED, record.id(), record.name());
        });
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Snapshot s && s.pool == pool && s.record.id() == record.id();
    }

    @Override
    public int hashCode() {
        return Long.hashCode(record.id());
    }

    @Override
    public String toString() {
        return "snapshot " + Ids.format(record.id()) + " " + Names.quoted(record.name());
    }
}

package io.coems.vvm;

import io.coems.matrix.ProgressListener;
import io.coems.sfs.SfsException;
import io.coems.sfs.SfsNotFoundException;
import io.coems.sfs.VnodeId;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A thin virtual block volume: the storage of one operating environment. Its
 * {@linkplain #snapshot snapshots} form that environment's journal; it can be
 * {@linkplain #revertTo reverted} to any of them, and any of them can be
 * {@linkplain VolumePool#clone cloned} into a new volume.
 *
 * <p>A handle: it names the volume by id and reads its current state on every call, so it
 * stays valid across renames and reverts, and fails with {@link PoolNotFoundException} once the
 * volume is deleted. Thread-safe; I/O never waits for configuration changes of other volumes,
 * and concurrent writers never lose a write. Writes are durable once {@link #flush()} returns.
 */
public final class Volume implements BlockImage {
    private final VolumePool pool;
    private final long id;

    Volume(VolumePool pool, long id) {
        this.pool = pool;
        this.id = id;
    }

    VolumePool pool() {
        return pool;
    }

    private VolumeRecord record() {
        pool.ensureOpen();
        return pool.catalog().volume(id);
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public String name() {
        return record().name();
    }

    @Override
    public long size() {
        return onVnode("size of", vnode -> pool.sfs().size(vnode));
    }

    /** When the volume was created. */
    public java.time.Instant created() {
        return java.time.Instant.ofEpochMilli(record().created());
    }

    /** Whether writes are refused. */
    public boolean isReadOnly() {
        return record().readOnly();
    }

    /** The free-form attributes. */
    public Map<String, String> attributes() {
        return record().attributes();
    }

    /** The id of the client the volume is assigned to, if any (see {@link ClientManager}). */
    public Optional<Long> client() {
        long client = record().client();
        return client == 0 ? Optional.empty() : Optional.of(client);
    }

    /** The snapshot the live state came from (the last snapshot taken, reverted to or cloned), if any. */
    public Optional<Snapshot> origin() {
        return pool.snapshotIfLive(record().origin());
    }

    // ------------------------------------------------------------------ I/O

    @Override
    public void read(long offset, MemorySegment dst) {
        Segments.required(dst, "the destination segment");
        onVnode("read from", vnode -> {
            pool.sfs().read(vnode, offset, dst);
            return null;
        });
    }

    /**
     * Writes {@code src} at byte {@code offset}; blocks shared with snapshots or clones are
     * copied first.
     *
     * @throws PoolArgumentException if the range is not inside the volume, or {@code src} is null,
     *                               of a closed arena or confined to another thread
     * @throws PoolReadOnlyException if the volume is read-only
     * @throws PoolNoSpaceException if the pool is full: a write of up to 4 MiB then changes nothing
     */
    public void write(long offset, MemorySegment src) {
        pool.write(Segments.required(src, "the source segment").byteSize(), () -> onWritableVnode("write to", vnode -> {
            pool.sfs().write(vnode, offset, src);
            return null;
        }));
    }

    /** Writes {@code src} at byte {@code offset}; see {@link #write(long, MemorySegment)}. */
    public void write(long offset, byte[] src) {
        write(offset, Segments.of(src, "the source array"));
    }

    /**
     * Writes {@code length} bytes of {@code src} from {@code srcOffset} at byte {@code offset}.
     *
     * @throws PoolArgumentException if {@code srcOffset} and {@code length} are not inside {@code src}
     */
    public void write(long offset, byte[] src, int srcOffset, int length) {
        write(offset, Segments.of(src, srcOffset, length, "the source array"));
    }

    /** Writes {@code src} from its position to its limit at byte {@code offset}; the position advances to the limit. */
    public void write(long offset, ByteBuffer src) {
        write(offset, Segments.of(src, "the source buffer"));
        src.position(src.limit());
    }

    /**
     * Drops {@code length} bytes at {@code offset} (trim): they read as zeros, and whole 64 KiB
     * blocks give their space back unless a snapshot or clone still uses them.
     *
     * @throws PoolArgumentException if the range is not inside the volume
     * @throws PoolReadOnlyException if the volume is read-only
     */
    public void discard(long offset, long length) {
        onWritableVnode("discard in", vnode -> {
            pool.sfs().discard(vnode, offset, length);
            return null;
        });
    }

    /**
     * Makes {@code length} bytes at {@code offset} read as zeros; whole blocks are dropped rather
     * than written, so they take no space (a partial block shared with a snapshot or clone is
     * copied first, as any write to it).
     *
     * @throws PoolArgumentException if the range is not inside the volume
     * @throws PoolReadOnlyException if the volume is read-only
     */
    public void writeZeroes(long offset, long length) {
        discard(offset, length);
    }

    /** Makes every completed write to the pool durable. */
    public void flush() {
        record();
        pool.flush();
    }

    // ------------------------------------------------------------------ configuration

    /**
     * Renames the volume.
     *
     * @throws PoolArgumentException if the name is invalid or another volume has it
     */
    public void rename(String newName) {
        pool.change("rename volume " + Ids.format(id), () -> {
            Names.check(newName, "volume");
            VolumeRecord r = record();
            if (!r.name().equals(newName) && pool.catalog().hasVolumeNamed(newName)) {
                throw new PoolArgumentException("a volume named " + Names.quoted(newName) + " already exists");
            }
            pool.catalog().update(r.withName(newName));
            return pool.event(PoolEvent.Kind.VOLUME_CHANGED, id, newName);
        });
    }

    /**
     * Changes the virtual size. Growing is always allowed; shrinking drops the data beyond the
     * new size and is done only when {@code allowShrink} says so.
     *
     * @throws PoolArgumentException if the size is not from 1 to {@link VolumePool#MAX_VOLUME_BYTES} and the
     *                               pool's largest capacity, or smaller than now without {@code allowShrink}
     */
    public void resize(long newSize, boolean allowShrink) {
        pool.change("resize volume " + Ids.format(id), () -> {
            VolumeRecord r = record();
            VolumePool.checkSize(newSize);
            pool.checkCapacity(newSize);
            long old = pool.sfs().size(r.vnode());
            if (newSize < old && !allowShrink) {
                throw new PoolArgumentException("resizing volume " + Names.quoted(r.name()) + " from " + old + " to "
                        + newSize + " bytes would drop data; pass allowShrink to shrink it");
            }
            pool.sfs().resize(r.vnode(), newSize);
            return pool.event(PoolEvent.Kind.VOLUME_CHANGED, id, r.name());
        });
    }

    /** Sets whether writes are refused. */
    public void setReadOnly(boolean readOnly) {
        pool.change("set read-only on volume " + Ids.format(id), () -> {
            VolumeRecord r = pool.catalog().update(record().withReadOnly(readOnly));
            return pool.event(PoolEvent.Kind.VOLUME_CHANGED, id, r.name());
        });
    }

    /**
     * Sets attribute {@code key} to {@code value}, or removes it if {@code value} is null.
     *
     * @throws PoolArgumentException if the key is not a valid name, or the attributes would
     *                               exceed the volume record's room (about 1.7 KB with the name)
     */
    public void setAttribute(String key, String value) {
        pool.change("set attribute on volume " + Ids.format(id), () -> {
            Names.check(key, "attribute");
            VolumeRecord r = record();
            Map<String, String> attributes = new HashMap<>(r.attributes());
            if (value == null) {
                attributes.remove(key);
            } else {
                attributes.put(key, value);
            }
            VolumeRecord changed = r.withAttributes(attributes);
            try {
                changed.encode();
            } catch (PoolArgumentException e) {
                throw new PoolArgumentException("attribute " + Names.quoted(key) + " does not fit: " + e.getMessage(), e);
            }
            pool.catalog().update(changed);
            return pool.event(PoolEvent.Kind.VOLUME_CHANGED, id, r.name());
        });
    }

    /** Deletes the volume and all its snapshots; clones made from them are not affected. */
    public void delete() {
        pool.change("delete volume " + Ids.format(id), () -> {
            VolumeRecord r = record();
            pool.catalog().deleteVolume(r);
            return pool.event(PoolEvent.Kind.VOLUME_DELETED, id, r.name());
        });
    }

    // ------------------------------------------------------------------ snapshots

    /**
     * Takes a snapshot in O(1): an immutable image of the volume as it is now, whatever its size.
     *
     * @throws PoolArgumentException if the name is invalid or another snapshot of this volume has it
     */
    public Snapshot snapshot(String name) {
        return pool.change("snapshot volume " + Ids.format(id), () -> {
            Names.check(name, "snapshot");
            VolumeRecord r = record();
            if (pool.catalog().history(id).stream().anyMatch(s -> s.name().equals(name))) {
                throw new PoolArgumentException("volume " + Names.quoted(r.name()) + " already has a snapshot named "
                        + Names.quoted(name));
            }
            Snapshot made = new Snapshot(pool, pool.catalog().snapshot(r, name));
            pool.event(PoolEvent.Kind.SNAPSHOT_CREATED, made.id(), name);
            return made;
        });
    }

    /** The volume's journal: its snapshots, oldest first, each with its lineage ({@link Snapshot#parent()}). */
    public List<Snapshot> history() {
        record();
        return pool.catalog().history(id).stream().map(s -> new Snapshot(pool, s)).toList();
    }

    /**
     * The snapshot of this volume named {@code name}, if there is one.
     *
     * @throws PoolArgumentException if the name is null
     */
    public Optional<Snapshot> findSnapshot(String name) {
        VolumePool.required(name, "snapshot name");
        return history().stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /**
     * Makes the volume's content exactly the snapshot's (its size too). Snapshots taken later stay
     * in the history and can still be reverted to.
     *
     * @throws PoolArgumentException if the snapshot is another volume's
     */
    public void revertTo(Snapshot snapshot) {
        pool.change("revert volume " + Ids.format(id), () -> {
            VolumeRecord r = record();
            SnapshotRecord s = pool.ownSnapshot(snapshot);
            if (s.volume() != id) {
                throw new PoolArgumentException("snapshot " + Names.quoted(s.name()) + " belongs to volume "
                        + Ids.format(s.volume()) + ", not to " + Names.quoted(r.name()) + "; clone it instead");
            }
            pool.catalog().revert(r, s);
            return pool.event(PoolEvent.Kind.VOLUME_CHANGED, id, r.name());
        });
    }

    @Override
    public VolumeSpace space() {
        return onVnode("measure", vnode -> VolumePool.space(pool.sfs().space(vnode)));
    }

    @Override
    public List<Extent> mapped() {
        return onVnode("map", vnode -> Transfer.extents(pool.sfs().mapped(vnode), pool.sfs().size(vnode)));
    }

    @Override
    public void exportTo(Path file, ProgressListener progress) {
        Transfer.export(this, file, progress);
    }

    /**
     * Copies a raw image file into the volume from byte 0, streamed; zero blocks of the file are
     * discarded rather than written. The volume's bytes beyond the file's length are kept.
     *
     * @throws PoolArgumentException if the file or progress is null, or the file is larger than the volume
     * @throws PoolIoException if the file cannot be read
     */
    public void importFrom(Path file, ProgressListener progress) {
        Transfer.importInto(this, file, progress);
    }

    /** The vnode state {@code vnode} of this volume is read or changed through. */
    @FunctionalInterface
    interface VnodeCall<T> {
        T on(VnodeId vnode);
    }

    /**
     * Runs {@code call} on the live vnode; if a revert replaced that vnode meanwhile, runs it again
     * on the new one, so I/O never fails for a concurrent revert.
     */
    private <T> T onVnode(String doing, VnodeCall<T> call) {
        for (;;) {
            VolumeRecord r = record();
            try {
                return call.on(r.vnode());
            } catch (SfsNotFoundException e) {
                VolumeRecord now = pool.settledVolume(id);
                if (now == null || now.vnode().equals(r.vnode())) {
                    throw Errors.translate(doing + " volume " + Names.quoted(r.name()), e);
                }
            } catch (SfsException e) {
                throw Errors.translate(doing + " volume " + Names.quoted(r.name()), e);
            }
        }
    }

    private <T> T onWritableVnode(String doing, VnodeCall<T> call) {
        return onVnode(doing, vnode -> {
            VolumeRecord r = record();
            if (r.readOnly()) {
                throw new PoolReadOnlyException("volume " + Names.quoted(r.name()) + " is read-only");
            }
            return call.on(vnode);
        });
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Volume v && v.pool == pool && v.id == id;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id);
    }

    @Override
    public String toString() {
        VolumeRecord r = pool.catalog().volumeOrNull(id);
        return "volume " + Ids.format(id) + (r == null ? " (deleted)" : " " + Names.quoted(r.name()));
    }
}

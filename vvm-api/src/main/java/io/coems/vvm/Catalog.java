package io.coems.vvm;

import io.coems.sfs.Descriptor;
import io.coems.sfs.DescriptorId;
import io.coems.sfs.SuperFileSystem;
import io.coems.sfs.VnodeId;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The pool's volumes and snapshots: their records in memory, loaded from the SFS descriptors
 * at open, and every change made as one atomic SFS change (vnodes and descriptors together),
 * so a power cut never leaves a vnode without its record or a record without its vnode.
 *
 * <p>Reads are lock-free (concurrent maps of immutable records); changes are made by one
 * thread at a time, under the pool's configuration lock.
 */
final class Catalog {
    /** Descriptor type of snapshots. */
    static final int SNAPSHOT = 3;

    private final SuperFileSystem sfs;
    /** The clock of creation times. */
    private final InstantSource clock;
    private final Map<Long, VolumeRecord> volumes = new ConcurrentHashMap<>();
    private final Map<String, Long> volumeNames = new ConcurrentHashMap<>();
    private final Map<Long, SnapshotRecord> snapshots = new ConcurrentHashMap<>();
    private final Map<Long, List<SnapshotRecord>> history = new ConcurrentHashMap<>();
    private long sequence;

    /**
     * A catalog of the volume and snapshot records read from the descriptors (in any order);
     * {@code clock} dates new ones.
     */
    Catalog(SuperFileSystem sfs, InstantSource clock, List<VolumeRecord> loadedVolumes,
            List<SnapshotRecord> loadedSnapshots) {
        this.sfs = sfs;
        this.clock = clock;
        for (VolumeRecord v : loadedVolumes) {
            volumes.put(v.id(), v);
            volumeNames.put(v.name(), v.id());
        }
        List<SnapshotRecord> all = new ArrayList<>(loadedSnapshots);
        all.sort(Comparator.comparingLong(SnapshotRecord::sequence));
        for (SnapshotRecord s : all) {
            put(s);
            sequence = Math.max(sequence, s.sequence());
        }
    }

    // ------------------------------------------------------------------ reads

    VolumeRecord volume(long id) {
        VolumeRecord v = volumes.get(id);
        if (v == null) {
            throw new PoolNotFoundException("volume " + Ids.format(id) + " does not exist");
        }
        return v;
    }

    /** The volume's record, or null if it was deleted. */
    VolumeRecord volumeOrNull(long id) {
        return volumes.get(id);
    }

    VolumeRecord volumeNamed(String name) {
        VolumeRecord v = volumeNamedOrNull(name);
        if (v == null) {
            throw new PoolNotFoundException("no volume is named " + Names.quoted(name));
        }
        return v;
    }

    /** The record of the volume named {@code name}, or null: one answer even while it is being deleted. */
    VolumeRecord volumeNamedOrNull(String name) {
        Long id = volumeNames.get(name);
        return id == null ? null : volumes.get(id);
    }

    boolean hasVolumeNamed(String name) {
        return volumeNames.containsKey(name);
    }

    List<VolumeRecord> volumes() {
        return volumes.values().stream().sorted(Comparator.comparing(VolumeRecord::name)).toList();
    }

    int volumeCount() {
        return volumes.size();
    }

    SnapshotRecord snapshot(long id) {
        SnapshotRecord s = snapshots.get(id);
        if (s == null) {
            throw new PoolNotFoundException("snapshot " + Ids.format(id) + " does not exist");
        }
        return s;
    }

    /** The snapshot's record, or null if it was deleted. */
    SnapshotRecord snapshotOrNull(long id) {
        return snapshots.get(id);
    }

    /** The volume's snapshots, oldest first. */
    List<SnapshotRecord> history(long volume) {
        return List.copyOf(history.getOrDefault(volume, List.of()));
    }

    // ------------------------------------------------------------------ changes

    VolumeRecord createVolume(String name, long size, long origin, SnapshotRecord source) {
        long now = clock.millis();
        VolumeRecord made = sfs.atomically(source == null ? List.of() : List.of(source.vnode()), batch -> {
            VnodeId vnode = source == null ? batch.create(size) : batch.spawn(source.vnode());
            VolumeRecord record = new VolumeRecord(0, name, vnode, now, origin, 0, false, Map.of());
            return record.withId(Ids.of(batch.createDescriptor(Descriptor.VOLUME, record.encode())));
        });
        volumes.put(made.id(), made);
        volumeNames.put(name, made.id());
        return made;
    }

    /** Replaces a volume's record (name, flags, attributes, client). */
    VolumeRecord update(VolumeRecord changed) {
        VolumeRecord old = volume(changed.id());
        sfs.updateDescriptor(Ids.descriptor(changed.id()), changed.encode());
        volumes.put(changed.id(), changed);
        if (!old.name().equals(changed.name())) {
            volumeNames.remove(old.name());
            volumeNames.put(changed.name(), changed.id());
        }
        return changed;
    }

    SnapshotRecord snapshot(VolumeRecord volume, String name) {
        long now = clock.millis();
        long size = sfs.size(volume.vnode());
        long seq = sequence + 1;
        SnapshotRecord made = sfs.atomically(List.of(volume.vnode()), batch -> {
            VnodeId frozen = batch.spawn(volume.vnode());
            SnapshotRecord record = new SnapshotRecord(0, volume.id(), frozen, now, size, volume.origin(), seq, name);
            SnapshotRecord stored = record.withId(Ids.of(batch.createDescriptor(SNAPSHOT, record.encode())));
            batch.updateDescriptor(Ids.descriptor(volume.id()), volume.withOrigin(stored.id()).encode());
            return stored;
        });
        sequence = seq;
        put(made);
        volumes.put(volume.id(), volume.withOrigin(made.id()));
        return made;
    }

    /** Makes the volume's live state a new child of {@code target}, dropping the old state. */
    VolumeRecord revert(VolumeRecord volume, SnapshotRecord target) {
        VolumeRecord reverted = sfs.atomically(List.of(target.vnode(), volume.vnode()), batch -> {
            VolumeRecord changed = volume.withState(batch.spawn(target.vnode()), target.id());
            batch.updateDescriptor(Ids.descriptor(volume.id()), changed.encode());
            batch.delete(volume.vnode());
            return changed;
        });
        volumes.put(volume.id(), reverted);
        return reverted;
    }

    void deleteSnapshot(SnapshotRecord snapshot) {
        sfs.atomically(List.of(snapshot.vnode()), batch -> {
            batch.delete(snapshot.vnode());
            batch.freeDescriptor(Ids.descriptor(snapshot.id()));
            return null;
        });
        snapshots.remove(snapshot.id());
        history.computeIfPresent(snapshot.volume(), (v, list) -> {
            List<SnapshotRecord> rest = new ArrayList<>(list);
            rest.removeIf(s -> s.id() == snapshot.id());
            return rest.isEmpty() ? null : List.copyOf(rest);
        });
    }

    /** Deletes a volume with all its snapshots, in one change. */
    void deleteVolume(VolumeRecord volume) {
        List<SnapshotRecord> own = history(volume.id());
        List<VnodeId> vnodes = new ArrayList<>(own.stream().map(SnapshotRecord::vnode).toList());
        vnodes.add(volume.vnode());
        sfs.atomically(vnodes, batch -> {
            for (SnapshotRecord s : own) {
                batch.delete(s.vnode());
                batch.freeDescriptor(Ids.descriptor(s.id()));
            }
            batch.delete(volume.vnode());
            batch.freeDescriptor(Ids.descriptor(volume.id()));
            return null;
        });
        own.forEach(s -> snapshots.remove(s.id()));
        history.remove(volume.id());
        volumes.remove(volume.id());
        volumeNames.remove(volume.name());
    }

    /**
     * Leaves every volume of client {@code clientId} unassigned and frees the client's record, in
     * one change; returns the volumes that were assigned.
     */
    List<VolumeRecord> unassignAndFree(long clientId) {
        List<VolumeRecord> assigned = volumes.values().stream().filter(v -> v.client() == clientId).toList();
        sfs.atomically(List.of(), batch -> {
            for (VolumeRecord v : assigned) {
                batch.updateDescriptor(Ids.descriptor(v.id()), v.withClient(0).encode());
            }
            batch.freeDescriptor(Ids.descriptor(clientId));
            return null;
        });
        assigned.forEach(v -> volumes.put(v.id(), v.withClient(0)));
        return assigned;
    }

    private void put(SnapshotRecord s) {
        snapshots.put(s.id(), s);
        history.merge(s.volume(), List.of(s), (old, added) -> {
            List<SnapshotRecord> list = new ArrayList<>(old);
            list.addAll(added);
            return List.copyOf(list);
        });
    }

    /** Applies {@code change} to the volume's record and stores it. */
    VolumeRecord change(long id, Function<VolumeRecord, VolumeRecord> change) {
        return update(change.apply(volume(id)));
    }
}

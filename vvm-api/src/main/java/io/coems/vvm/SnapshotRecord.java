package io.coems.vvm;

import io.coems.sfs.VnodeId;

import java.lang.foreign.MemorySegment;

/**
 * A snapshot as stored in its SFS descriptor (type {@link Catalog#SNAPSHOT}); immutable.
 *
 * <pre>
 *  0       1       2                               8
 *  +-------+-------+-------------------------------+
 *  |version| flags | reserved (6)                  |
 *  +-------+-------+-------------------------------+
 *  | volume id                                     | 8
 *  | vnode id (its frozen state)                   | 16
 *  | created (u64, ms since the epoch)             | 24
 *  | size in bytes at the time                     | 32
 *  | parent: snapshot the state came from (0)      | 40
 *  | sequence (u64, pool-wide, orders the history) | 48
 *  +-----------------------------------------------+
 *  | name (u16 length, UTF-8)                      | 56
 *  +-----------------------------------------------+
 * </pre>
 *
 * @param id      the descriptor's id, which is the snapshot's id
 * @param volume  the volume it was taken of
 * @param vnode   its frozen state
 * @param created creation time, ms since the epoch
 * @param size    the volume's size when it was taken
 * @param parent   the snapshot the volume's state came from when it was taken, 0 if none
 * @param sequence pool-wide and increasing: the order snapshots were taken in
 * @param name     unique among the volume's snapshots
 */
record SnapshotRecord(long id, long volume, VnodeId vnode, long created, long size, long parent, long sequence,
        String name) {
    static final int VERSION = 1;

    MemorySegment encode() {
        return Payload.writer(VERSION, 0).u64(volume).u64(vnode.toLong()).u64(created)
                .u64(size).u64(parent).u64(sequence).string(name).segment();
    }

    static SnapshotRecord decode(long id, byte[] bytes) {
        Payload in = Payload.reader(bytes, VERSION, "snapshot " + Ids.format(id));
        return new SnapshotRecord(id, in.u64(), VnodeId.fromLong(in.u64()), in.u64(), in.u64(), in.u64(), in.u64(),
                in.string());
    }

    /** This record under the id its descriptor was given. */
    SnapshotRecord withId(long newId) {
        return new SnapshotRecord(newId, volume, vnode, created, size, parent, sequence, name);
    }
}

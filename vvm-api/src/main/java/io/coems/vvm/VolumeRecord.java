package io.coems.vvm;

import io.coems.sfs.VnodeId;

import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * A volume as stored in its SFS descriptor (type {@code VOLUME}); immutable, replaced whole by
 * every change. The volume's data is its live vnode; its size is the vnode's.
 *
 * <pre>
 *  0       1       2               4               8
 *  +-------+-------+---------------+---------------+
 *  |version| flags | reserved (6)                  |   flags bit 0: read-only
 *  +-------+-------+---------------+---------------+
 *  | live vnode id (u64: index, generation)        | 8
 *  | created (u64, ms since the epoch)             | 16
 *  | origin: snapshot the live state came from (0) | 24
 *  | client id the volume is assigned to (0: none) | 32
 *  +-----------------------------------------------+
 *  | name (u16 length, UTF-8)                      | 40
 *  | attributes (u16 count, then key, value ...)   |
 *  +-----------------------------------------------+   at most 2036 bytes
 * </pre>
 *
 * @param id         the descriptor's id, which is the volume's id
 * @param name       unique among the pool's volumes
 * @param vnode      the live state
 * @param created    creation time, ms since the epoch
 * @param origin     the snapshot the live state came from (a snapshot, a revert, a clone), 0 if none
 * @param client     the client the volume is assigned to, 0 if none
 * @param readOnly   whether writes are refused
 * @param attributes free-form key/value pairs
 */
record VolumeRecord(long id, String name, VnodeId vnode, long created, long origin, long client, boolean readOnly,
        Map<String, String> attributes) {
    static final int VERSION = 1;

    VolumeRecord {
        attributes = Map.copyOf(attributes);
    }

    /**
     * @throws PoolArgumentException naming the volume if its name and attributes do not fit a descriptor
     */
    MemorySegment encode() {
        try {
            return Payload.writer(VERSION, readOnly ? 1 : 0).u64(vnode.toLong()).u64(created).u64(origin).u64(client)
                    .string(name).strings(new java.util.TreeMap<>(attributes)).segment();
        } catch (PoolArgumentException e) {
            throw new PoolArgumentException("volume " + Names.quoted(name) + " with " + attributes.size()
                    + " attributes: " + e.getMessage(), e);
        }
    }

    static VolumeRecord decode(long id, byte[] bytes) {
        Payload in = Payload.reader(bytes, VERSION, "volume " + Ids.format(id));
        int flags = in.flags();
        VnodeId vnode = VnodeId.fromLong(in.u64());
        long created = in.u64();
        long origin = in.u64();
        long client = in.u64();
        return new VolumeRecord(id, in.string(), vnode, created, origin, client, (flags & 1) != 0, in.strings());
    }

    /** This record under the id its descriptor was given. */
    VolumeRecord withId(long newId) {
        return new VolumeRecord(newId, name, vnode, created, origin, client, readOnly, attributes);
    }

    VolumeRecord withName(String newName) {
        return new VolumeRecord(id, newName, vnode, created, origin, client, readOnly, attributes);
    }

    VolumeRecord withState(VnodeId newVnode, long newOrigin) {
        return new VolumeRecord(id, name, newVnode, created, newOrigin, client, readOnly, attributes);
    }

    VolumeRecord withOrigin(long newOrigin) {
        return withState(vnode, newOrigin);
    }

    VolumeRecord withClient(long newClient) {
        return new VolumeRecord(id, name, vnode, created, origin, newClient, readOnly, attributes);
    }

    VolumeRecord withReadOnly(boolean value) {
        return new VolumeRecord(id, name, vnode, created, origin, client, value, attributes);
    }

    VolumeRecord withAttributes(Map<String, String> value) {
        return new VolumeRecord(id, name, vnode, created, origin, client, readOnly, value);
    }
}

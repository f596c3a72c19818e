package io.coems.vvm;

import java.lang.foreign.MemorySegment;

/**
 * A {@link Client} as stored in its SFS descriptor (type {@code CLIENT}).
 *
 * <pre>
 *  0       1       2
 *  +-------+-------+-------------------------------+
 *  |version| 0     | reserved (6)                  |
 *  +-------+-------+-------------------------------+
 *  | name, mac, ip: each u16 length + UTF-8        | 8
 *  | hardware:   u16 count, then key, value ...    |
 *  | attributes: u16 count, then key, value ...    |
 *  +-----------------------------------------------+   at most 2036 bytes
 * </pre>
 */
final class ClientRecord {
    static final int VERSION = 1;

    private ClientRecord() {
    }

    /**
     * @throws PoolArgumentException naming the client if it does not fit a descriptor
     */
    static MemorySegment encode(Client c) {
        try {
            return Payload.writer(VERSION, 0).string(c.name()).string(c.mac()).string(c.ip())
                    .strings(new java.util.TreeMap<>(c.hardware())).strings(new java.util.TreeMap<>(c.attributes()))
                    .segment();
        } catch (PoolArgumentException e) {
            throw new PoolArgumentException("client " + Names.quoted(c.name()) + ": " + e.getMessage(), e);
        }
    }

    static Client decode(long id, byte[] bytes) {
        Payload in = Payload.reader(bytes, VERSION, "client " + Ids.format(id));
        return new Client(id, in.string(), in.string(), in.string(), in.strings(), in.strings());
    }
}

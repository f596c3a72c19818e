package io.coems.sfs.format;


import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import static io.coems.sfs.format.LittleEndian.INT;
import static io.coems.sfs.format.LittleEndian.LONG;

/**
 * The superblock: what the file system is and how it is laid out. The primary copy is sector
 * 0 of block 0; every other group keeps a backup in sector 0 of its first block, used when
 * the primary fails its checksum.
 *
 * <pre>
 *  offset size  field (little-endian)
 *  0      8     magic "COEMSSFS"
 *  8      4     format version (1)
 *  12     4     compatible features (unknown bits are ignored)
 *  16     4     read-only-compatible features (unknown bits: refuse to write)
 *  20     4     incompatible features (unknown bits: refuse to open); bit 0 JOURNAL, bit 1 GROWTH
 *  24     16    file-system UUID
 *  40     8     blocks used by the file system
 *  48     4     blocks per group
 *  52     4     group count
 *  56     4     vnodes per group
 *  60     4     state: 1 clean, 2 open (not cleanly closed)
 *  64     8     reserved blocks: kept free for deletes and metadata
 *  72     8     descriptor vnode id (index << 32 | generation)
 *  80     8     creation time, epoch milliseconds
 *  88     4     group index of this copy (0 = primary)
 *  92     8     first block of the journal
 *  100    4     blocks of the journal
 *  104    8     GROWTH: blocks the file system may grow to (the group-descriptor table is
 *               reserved for them); without GROWTH 0, and the table fits the groups in use
 *  112    3980  reserved, 0
 *  4092   4     CRC32C of bytes 0..4091
 * </pre>
 *
 * @param compatible       compatible feature bits
 * @param readOnly         read-only-compatible feature bits
 * @param incompatible     incompatible feature bits
 * @param id               file-system UUID
 * @param geometry         layout of groups
 * @param state            {@link #CLEAN} or {@link #OPEN}
 * @param reservedBlocks   blocks ordinary allocations leave free
 * @param descriptorVnode  id of the vnode holding the descriptors
 * @param created          creation time
 * @param copy             group this copy lives in
 * @param journalStart     first block of the journal region
 * @param journalBlocks    blocks of the journal region
 */
public record Superblock(int compatible, int readOnly, int incompatible, UUID id, Geometry geometry, int state,
        long reservedBlocks, long descriptorVnode, long created, int copy, long journalStart, int journalBlocks) {
    /** Format version written by this code. */
    public static final int VERSION = 1;
    /** State: closed cleanly. */
    public static final int CLEAN = 1;
    /** State: open, or not closed cleanly. */
    public static final int OPEN = 2;
    /** Incompatible feature: metadata changes go through the journal, which open must replay. */
    public static final int JOURNAL = 1;
    /**
     * Incompatible feature: the group-descriptor table is reserved for the maximum size at
     * offset 104, and each group descriptor records its group's size, so the file system can grow.
     */
    public static final int GROWTH = 2;
    /** Incompatible features this code understands. */
    public static final int KNOWN_INCOMPATIBLE = JOURNAL | GROWTH;
    /** Read-only-compatible features this code understands. */
    public static final int KNOWN_READ_ONLY = 0;

    private static final byte[] MAGIC = "COEMSSFS".getBytes(StandardCharsets.US_ASCII);

    /** This superblock as the copy kept in group {@code g}. */
    public Superblock asCopy(int g) {
        return new Superblock(compatible, readOnly, incompatible, id, geometry, state, reservedBlocks, descriptorVnode,
                created, g, journalStart, journalBlocks);
    }

    /** This superblock with another state. */
    public Superblock withState(int newState) {
        return new Superblock(compatible, readOnly, incompatible, id, geometry, newState, reservedBlocks,
                descriptorVnode, created, copy, journalStart, journalBlocks);
    }

    /** This superblock with another layout (after growth). */
    public Superblock withGeometry(Geometry newGeometry) {
        return new Superblock(compatible, readOnly, incompatible, id, newGeometry, state, reservedBlocks,
                descriptorVnode, created, copy, journalStart, journalBlocks);
    }

    /** Encodes into a fresh 4 KiB sector. */
    public MemorySegment encode() {
        MemorySegment s = Sector.create(MAGIC);
        s.set(INT, 8, VERSION);
        s.set(INT, 12, compatible);
        s.set(INT, 16, readOnly);
        s.set(INT, 20, incompatible);
        s.set(LONG, 24, id.getMostSignificantBits());
        s.set(LONG, 32, id.getLeastSignificantBits());
        s.set(LONG, 40, geometry.totalBlocks());
        s.set(INT, 48, geometry.groupBlocks());
        s.set(INT, 52, geometry.groups());
        s.set(INT, 56, geometry.vnodesPerGroup());
        s.set(INT, 60, state);
        s.set(LONG, 64, reservedBlocks);
        s.set(LONG, 72, descriptorVnode);
        s.set(LONG, 80, created);
        s.set(INT, 88, copy);
        s.set(LONG, 92, journalStart);
        s.set(INT, 100, journalBlocks);
        s.set(LONG, 104, (incompatible & GROWTH) != 0 ? geometry.maxBlocks() : 0);
        Sector.seal(s);
        return s;
    }

    /** Whether the sector starts with the superblock magic (whatever its checksum). */
    public static boolean hasMagic(MemorySegment s) {
        return Sector.hasMagic(s, MAGIC);
    }

    /** Decodes a sector, or returns null if it is not a valid superblock. */
    public static Superblock decode(MemorySegment s) {
        if (!Sector.valid(s, MAGIC)) {
            return null;
        }
        long totalBlocks = s.get(LONG, 40);
        long maxBlocks = (s.get(INT, 20) & GROWTH) != 0 ? s.get(LONG, 104) : totalBlocks;
        Geometry geometry = new Geometry(totalBlocks, s.get(INT, 48), s.get(INT, 52), s.get(INT, 56), maxBlocks);
        return new Superblock(s.get(INT, 12), s.get(INT, 16), s.get(INT, 20), new UUID(s.get(LONG, 24), s.get(LONG, 32)),
                geometry, s.get(INT, 60), s.get(LONG, 64), s.get(LONG, 72), s.get(LONG, 80), s.get(INT, 88),
                s.get(LONG, 92), s.get(INT, 100));
    }

    /** The format version stored in a sector that has the magic. */
    public static int version(MemorySegment s) {
        return s.get(INT, 8);
    }
}

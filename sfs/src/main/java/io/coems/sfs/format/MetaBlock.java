package io.coems.sfs.format;

import io.coems.matrix.Blocks;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

/**
 * The trailer that seals every 64 KiB metadata block (index, reference-count, vnode bitmap,
 * vnode table, group-descriptor and descriptor blocks): a kind tag and a CRC32C over everything before it.
 *
 * <pre>
 *  0        65528                 65532        65536
 *  +--------+---------------------+------------+
 *  | payload (65528 bytes)        | kind (u32) | CRC32C of bytes 0..65531 (u32) |
 *  +------------------------------+------------+
 * </pre>
 *
 * An all-zero block (never written) is accepted as an empty block of any kind: fresh index
 * blocks and untouched tables need not be written at format time.
 */
public final class MetaBlock {
    /** Bytes available to the layout inside a metadata block. */
    public static final int PAYLOAD = Blocks.SIZE - 8;
    private static final long KIND_OFFSET = PAYLOAD;
    private static final long CRC_OFFSET = PAYLOAD + 4;
    private static final MemorySegment ZEROS = MemorySegment.ofArray(new byte[PAYLOAD]);

    /** Kinds of metadata blocks, as stored in the trailer. */
    public enum Kind {
        /** Radix-tree index block of a vnode's block map. */
        INDEX(0x494e4458),
        /** Per-group reference counts. */
        REFCOUNT(0x52454643),
        /** Per-group vnode bitmap. */
        VNODE_BITMAP(0x564e4d50),
        /** Per-group vnode table. */
        VNODE_TABLE(0x564e5442),
        /** Group-descriptor table. */
        GROUP_TABLE(0x47445442),
        /** Data block of the descriptor vnode: {@link DescriptorRecord}s. */
        DESCRIPTORS(0x44455343),
        /** Descriptor block of a journal record. */
        JOURNAL_DESCRIPTOR(0x4a445343);

        private final int tag;

        Kind(int tag) {
            this.tag = tag;
        }

        /** The u32 written to the trailer. */
        public int tag() {
            return tag;
        }
    }

    private MetaBlock() {
    }

    /** Writes the trailer of {@code block} for {@code kind} and returns its CRC: call before the block goes to the store. */
    public static int seal(MemorySegment block, Kind kind) {
        block.set(LittleEndian.INT, KIND_OFFSET, kind.tag());
        int crc = crc(block);
        block.set(LittleEndian.INT, CRC_OFFSET, crc);
        return crc;
    }

    /** Whether {@code block} is a valid {@code kind} block (or all zero). */
    public static boolean valid(MemorySegment block, Kind kind) {
        int tag = block.get(LittleEndian.INT, KIND_OFFSET);
        int stored = block.get(LittleEndian.INT, CRC_OFFSET);
        if (tag == 0 && stored == 0) {
            return MemorySegment.mismatch(block, 0, PAYLOAD, ZEROS, 0, PAYLOAD) < 0;
        }
        return tag == kind.tag() && stored == crc(block);
    }

    /** The CRC32C of bytes 0..65531 of {@code block}: what its trailer holds once sealed. */
    public static int crcOf(MemorySegment block) {
        return crc(block);
    }

    private static int crc(MemorySegment block) {
        CRC32C crc = new CRC32C();
        crc.update(block.asSlice(0, CRC_OFFSET).asByteBuffer());
        return (int) crc.getValue();
    }
}

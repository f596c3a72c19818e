package io.coems.matrix.lbs;

import io.coems.matrix.Blocks;
import io.coems.matrix.RaidMode;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.zip.CRC32C;

import static io.coems.matrix.lbs.LittleEndian.INT;
import static io.coems.matrix.lbs.LittleEndian.LONG;
import static io.coems.matrix.lbs.LittleEndian.SHORT;

/**
 * The label that every member device carries, so that a matrix can be reassembled from its
 * devices given in any order. It fills one 4 KiB sector; a member holds two label slots
 * (sectors 0 and 1 of its block 0) written alternately by generation, so a torn label write
 * leaves the other slot intact. The valid slot with the highest generation wins.
 *
 * <pre>
 *  offset size  field (little-endian)
 *  0      8     magic "COEMSLBL"
 *  8      2     format version (1)
 *  10     2     header blocks before the data area (2)
 *  12     4     reserved, 0
 *  16     16    matrix UUID (most significant 8 bytes, then least significant 8)
 *  32     8     generation: matrix-wide counter, +1 on every label change
 *  40     4     LBS count of the matrix at this generation
 *  44     4     LBS index of this member's space
 *  48     1     mode code (RaidMode.code)
 *  49     1     reserved, 0
 *  50     2     member count of the space
 *  52     2     member index of this device
 *  54     2     reserved, 0
 *  56     4     stripe unit, in blocks
 *  60     4     stripes per write-intent region
 *  64     8     data blocks per member (after the header)
 *  72     8     failed-member mask: bit i set = member i is failed or stale
 *  80     8     device id: random, given to a device when it becomes a member
 *  88     8*n   slot ids: the device id each of the n member slots holds at this generation
 *  88+8n  ...   reserved, 0
 *  4092   4     CRC32C of bytes 0..4091
 * </pre>
 *
 * The device and slot ids tell a replaced device from its replacement: a device whose id is
 * not the one the newest label gives its slot is stale, whatever its own label says.
 */
public record MemberLabel(UUID matrixId, long generation, int lbsCount, int lbsIndex, RaidMode mode, int members,
        int memberIndex, int stripeUnit, int regionStripes, long memberDataBlocks, long failedMask, long deviceId,
        long[] slotIds) {

    /** Blocks at the start of every member before its data: labels (block 0) and write-intent bitmap (block 1). */
    public static final int HEADER_BLOCKS = 2;
    static final int FORMAT_VERSION = 1;
    private static final byte[] MAGIC = "COEMSLBL".getBytes(StandardCharsets.US_ASCII);
    private static final int CRC_OFFSET = Blocks.SECTOR_SIZE - 4;

    /** This label with another generation, space count, failed mask and slot ids. */
    MemberLabel with(long newGeneration, int newLbsCount, long newFailedMask, long[] newSlotIds) {
        return new MemberLabel(matrixId, newGeneration, newLbsCount, lbsIndex, mode, members, memberIndex, stripeUnit,
                regionStripes, memberDataBlocks, newFailedMask, deviceId, newSlotIds.clone());
    }

    /** This label as carried by the device in slot {@code index}. */
    MemberLabel forMember(int index, long id) {
        return new MemberLabel(matrixId, generation, lbsCount, lbsIndex, mode, members, index, stripeUnit,
                regionStripes, memberDataBlocks, failedMask, id, slotIds);
    }

    /** Whether both labels describe the same space layout (mode, members, stripe unit, sizes). */
    public boolean sameLayout(MemberLabel other) {
        return mode == other.mode && members == other.members && stripeUnit == other.stripeUnit
                && regionStripes == other.regionStripes && memberDataBlocks == other.memberDataBlocks;
    }

    /** Whether this label marks slot {@code slot} failed. */
    public boolean marksFailed(int slot) {
        return (failedMask & (1L << slot)) != 0;
    }

    /** Whether the device carrying this label is the one the (newer) label {@code newest} expects in its slot. */
    public boolean current(MemberLabel newest) {
        return memberIndex < newest.members && newest.slotIds[memberIndex] == deviceId;
    }

    /** Encodes the label into a fresh 4 KiB sector. */
    MemorySegment encode() {
        MemorySegment s = MemorySegment.ofArray(new byte[Blocks.SECTOR_SIZE]);
        MemorySegment.copy(MemorySegment.ofArray(MAGIC), 0, s, 0, MAGIC.length);
        s.set(SHORT, 8, (short) FORMAT_VERSION);
        s.set(SHORT, 10, (short) HEADER_BLOCKS);
        s.set(LONG, 16, matrixId.getMostSignificantBits());
        s.set(LONG, 24, matrixId.getLeastSignificantBits());
        s.set(LONG, 32, generation);
        s.set(INT, 40, lbsCount);
        s.set(INT, 44, lbsIndex);
        s.set(ValueLayout.JAVA_BYTE, 48, (byte) mode.code());
        s.set(SHORT, 50, (short) members);
        s.set(SHORT, 52, (short) memberIndex);
        s.set(INT, 56, stripeUnit);
        s.set(INT, 60, regionStripes);
        s.set(LONG, 64, memberDataBlocks);
        s.set(LONG, 72, failedMask);
        s.set(LONG, 80, deviceId);
        for (int i = 0; i < members; i++) {
            s.set(LONG, 88 + 8L * i, slotIds[i]);
        }
        s.set(INT, CRC_OFFSET, crc(s));
        return s;
    }

    /** Decodes a 4 KiB sector, or returns null if it holds no valid label of this format. */
    static MemberLabel decode(MemorySegment s) {
        if (MemorySegment.mismatch(s, 0, MAGIC.length, MemorySegment.ofArray(MAGIC), 0, MAGIC.length) >= 0
                || s.get(INT, CRC_OFFSET) != crc(s)
                || s.get(SHORT, 8) != FORMAT_VERSION
                || s.get(SHORT, 10) != HEADER_BLOCKS) {
            return null;
        }
        RaidMode mode = RaidMode.fromCode(s.get(ValueLayout.JAVA_BYTE, 48)).orElse(null);
        if (mode == null) {
            return null;
        }
        int members = Short.toUnsignedInt(s.get(SHORT, 50));
        if (members < 1 || members > 64) {
            return null;
        }
        long[] slots = new long[members];
        for (int i = 0; i < members; i++) {
            slots[i] = s.get(LONG, 88 + 8L * i);
        }
        return new MemberLabel(new UUID(s.get(LONG, 16), s.get(LONG, 24)), s.get(LONG, 32), s.get(INT, 40),
                s.get(INT, 44), mode, members, Short.toUnsignedInt(s.get(SHORT, 52)), s.get(INT, 56), s.get(INT, 60),
                s.get(LONG, 64), s.get(LONG, 72), s.get(LONG, 80), slots);
    }

    private static int crc(MemorySegment s) {
        CRC32C crc = new CRC32C();
        crc.update(s.asSlice(0, CRC_OFFSET).asByteBuffer());
        return (int) crc.getValue();
    }
}

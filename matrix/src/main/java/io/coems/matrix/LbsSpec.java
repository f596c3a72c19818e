package io.coems.matrix;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * What a new Logical Block Space is made of: its mode, its stripe unit (the blocks placed on
 * one member before moving to the next) and its devices in member order. Devices of a space
 * must have equal sizes (except NORMAL, which has one).
 *
 * @param mode             how blocks are spread and protected
 * @param stripeUnitBlocks blocks per chunk, a power of two from 1 (64 KiB) to 256 (16 MiB)
 * @param devices          the members, in order; the matrix takes ownership of them
 */
public record LbsSpec(RaidMode mode, int stripeUnitBlocks, List<BlockDevice> devices) {
    /** Default stripe unit: one 64 KiB block per chunk. */
    public static final int DEFAULT_STRIPE_UNIT = 1;

    /**
     * @throws MatrixArgumentException naming the offending value
     */
    public LbsSpec {
        if (mode == null) {
            throw new MatrixArgumentException("mode is null");
        }
        if (devices == null || devices.stream().anyMatch(java.util.Objects::isNull)) {
            throw new MatrixArgumentException("devices of a " + mode + " space must be a list without nulls");
        }
        devices = List.copyOf(devices);
        mode.checkMembers(devices.size());
        if (stripeUnitBlocks < 1 || stripeUnitBlocks > 256 || Integer.bitCount(stripeUnitBlocks) != 1) {
            throw new MatrixArgumentException("stripe unit " + stripeUnitBlocks
                    + " blocks is not a power of two from 1 to 256");
        }
    }

    /** One device, no redundancy. */
    public static LbsSpec normal(BlockDevice device) {
        return new LbsSpec(RaidMode.NORMAL, DEFAULT_STRIPE_UNIT, Collections.singletonList(device));
    }

    /** Striping with the given stripe unit in blocks. */
    public static LbsSpec raid0(int stripeUnitBlocks, BlockDevice... devices) {
        return new LbsSpec(RaidMode.RAID0, stripeUnitBlocks, listOf(devices));
    }

    /** Mirrors. */
    public static LbsSpec raid1(BlockDevice... devices) {
        return new LbsSpec(RaidMode.RAID1, DEFAULT_STRIPE_UNIT, listOf(devices));
    }

    /** Striping with rotating XOR parity. */
    public static LbsSpec raid5(int stripeUnitBlocks, BlockDevice... devices) {
        return new LbsSpec(RaidMode.RAID5, stripeUnitBlocks, listOf(devices));
    }

    /** Striping with P and Q parity. */
    public static LbsSpec raid6(int stripeUnitBlocks, BlockDevice... devices) {
        return new LbsSpec(RaidMode.RAID6, stripeUnitBlocks, listOf(devices));
    }

    /** Striping over mirrored pairs: devices 0+1 form the first pair, 2+3 the second, ... */
    public static LbsSpec raid10(int stripeUnitBlocks, BlockDevice... devices) {
        return new LbsSpec(RaidMode.RAID10, stripeUnitBlocks, listOf(devices));
    }

    /** The devices as a list; null, or null elements, for the constructor to refuse by name. */
    private static List<BlockDevice> listOf(BlockDevice[] devices) {
        return devices == null ? null : Arrays.asList(devices);
    }
}

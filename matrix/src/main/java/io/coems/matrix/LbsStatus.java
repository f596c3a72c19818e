package io.coems.matrix;

import java.util.List;

/**
 * A snapshot of one Logical Block Space's state.
 *
 * @param index      position of the space in the matrix
 * @param mode       its RAID mode
 * @param firstBlock the matrix block at which it starts
 * @param blocks     its capacity in blocks
 * @param health     whether every block is readable, and with what redundancy
 * @param members    its member devices in member order
 */
public record LbsStatus(int index, RaidMode mode, long firstBlock, long blocks, LbsHealth health,
        List<Member> members) {

    /**
     * One member device.
     *
     * @param index           member index
     * @param device          the device's name (its path for files)
     * @param state           online, failed or rebuilding
     * @param rebuildProgress fraction of the member rebuilt, 1.0 when online, 0.0 when failed
     */
    public record Member(int index, String device, MemberState state, double rebuildProgress) {
    }
}

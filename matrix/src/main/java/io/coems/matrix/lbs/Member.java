package io.coems.matrix.lbs;

import io.coems.matrix.BlockDevice;
import io.coems.matrix.MemberState;

/**
 * One member slot of a Logical Block Space: the device in it, its state and, while it is
 * being rebuilt, the first stripe not yet rebuilt.
 */
final class Member {
    final int index;
    volatile BlockDevice device;
    /** The id the device in this slot carries in its label. */
    volatile long deviceId;
    volatile MemberState state;
    /** Stripes below this are in sync while {@link MemberState#REBUILDING}. */
    volatile long rebuildCursor;

    Member(int index, BlockDevice device, long deviceId, MemberState state) {
        this.index = index;
        this.device = device;
        this.deviceId = deviceId;
        this.state = state;
    }

    /** Whether reads and writes of {@code stripe} go to this member. */
    boolean inSync(long stripe) {
        MemberState s = state;
        return s == MemberState.ONLINE || (s == MemberState.REBUILDING && stripe < rebuildCursor);
    }

    String name() {
        BlockDevice d = device;
        return d == null ? "(missing member " + index + ")" : d.name();
    }
}

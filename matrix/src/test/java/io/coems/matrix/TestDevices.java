package io.coems.matrix;

import io.coems.matrix.device.FaultInjectingDevice;
import io.coems.matrix.device.MemoryDevice;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Devices, specs and data for the matrix tests. */
final class TestDevices {
    private TestDevices() {
    }

    /** {@code count} fault-injecting devices over fresh memory devices of {@code blocks} blocks. */
    static List<FaultInjectingDevice> faulty(String prefix, int count, long blocks) {
        List<FaultInjectingDevice> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(new FaultInjectingDevice(new MemoryDevice(prefix + i, blocks)));
        }
        return list;
    }

    /** The fewest members of a mode plus {@code extra} (in pairs for RAID-10; NORMAL has one). */
    static int membersFor(RaidMode mode, int extra) {
        return switch (mode) {
            case NORMAL -> 1;
            case RAID10 -> mode.minMembers() + 2 * extra;
            default -> mode.minMembers() + extra;
        };
    }

    /** Whether failing {@code candidate} on top of {@code failed} keeps every block readable. */
    static boolean survivable(RaidMode mode, int members, java.util.Set<Integer> failed, int candidate) {
        if (failed.contains(candidate)) {
            return false;
        }
        return switch (mode) {
            case NORMAL, RAID0 -> false;
            case RAID1 -> failed.size() + 1 < members;
            case RAID5 -> failed.isEmpty();
            case RAID6 -> failed.size() < 2;
            case RAID10 -> !failed.contains(candidate ^ 1);
        };
    }

    static LbsSpec spec(RaidMode mode, int stripeUnit, List<? extends BlockDevice> devices) {
        return new LbsSpec(mode, stripeUnit, List.copyOf(devices));
    }

    /** Asserts that the exception's message names every fragment (the offending values). */
    static void assertMentions(Throwable e, String... fragments) {
        for (String fragment : fragments) {
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage() != null && e.getMessage().contains(fragment),
                    () -> "message \"" + e.getMessage() + "\" does not mention \"" + fragment + "\"");
        }
    }

    /** Bytes made from a seed, so a failure can be replayed. */
    static byte[] bytes(int length, long seed) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }

    /** Reads the whole store into a byte array. */
    static byte[] readAll(BlockStore store) {
        byte[] all = new byte[(int) Blocks.bytes(store.blockCount())];
        store.read(0, 0, MemorySegment.ofArray(all));
        return all;
    }

    static void write(BlockStore store, long position, byte[] data) {
        store.write(position >>> Blocks.SHIFT, (int) (position & (Blocks.SIZE - 1)), MemorySegment.ofArray(data));
    }

    static byte[] read(BlockStore store, long position, int length) {
        byte[] data = new byte[length];
        store.read(position >>> Blocks.SHIFT, (int) (position & (Blocks.SIZE - 1)), MemorySegment.ofArray(data));
        return data;
    }
}

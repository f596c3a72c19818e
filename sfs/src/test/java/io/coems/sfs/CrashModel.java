package io.coems.sfs;

import io.coems.matrix.Blocks;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a crash test expects to find after reopening SFS: the vnodes and descriptors that
 * completed operations made durable, those an interrupted operation may or may not have
 * changed, and per vnode a {@link VnodeModel} of the sector contents a reader may see.
 * Shared by {@link PowerCutCampaignTest} and {@link ProcessKillTest}.
 */
final class CrashModel {
    final Map<VnodeId, VnodeModel> vnodes = new LinkedHashMap<>();
    final Map<DescriptorId, byte[]> descriptors = new LinkedHashMap<>();
    /** Vnodes a completed delete removed, and descriptors a completed free released: they must be gone. */
    final Set<VnodeId> deleted = new HashSet<>();
    final Set<DescriptorId> freed = new HashSet<>();
    /** Vnodes whose delete may have taken effect. */
    final Set<VnodeId> maybeGone = new HashSet<>();
    /** Descriptors whose free may have taken effect. */
    final Set<DescriptorId> descriptorsMaybeGone = new HashSet<>();
    /** Descriptors an interrupted update may have given the payload in {@link #descriptorAlternative}. */
    final Set<DescriptorId> descriptorUnsure = new HashSet<>();
    final Map<DescriptorId, byte[]> descriptorAlternative = new HashMap<>();
    int extraVnodesAllowed;
    int extraDescriptorsAllowed;
    private final boolean tornSectors;

    /**
     * @param tornSectors whether a sector may hold a byte-wise mix of two successive versions,
     *                    as after a process dies in the middle of copying a write into a mapping
     */
    CrashModel(boolean tornSectors) {
        this.tornSectors = tornSectors;
    }

    /** {@code length} random bytes. */
    static byte[] bytes(RandomGenerator random, int length) {
        byte[] data = new byte[length];
        random.nextBytes(data);
        return data;
    }

    /** Marks a durable point: whatever every vnode holds now is what it must hold after a crash. */
    void flushPoint() {
        vnodes.values().forEach(VnodeModel::flushPoint);
    }

    /** Checks the reopened file system against the model. */
    void verify(SuperFileSystem back) {
        assertEquals(List.of(), back.check(), "check after the crash");
        Set<VnodeId> present = new HashSet<>(back.vnodes());
        for (Map.Entry<VnodeId, VnodeModel> e : vnodes.entrySet()) {
            if (present.contains(e.getKey())) {
                e.getValue().check(back, e.getKey(), tornSectors);
            } else {
                assertTrue(maybeGone.contains(e.getKey()), e.getKey() + " was created durably but is gone");
            }
        }
        deleted.forEach(id -> assertFalse(present.contains(id), id + " was deleted durably but is back"));
        Set<VnodeId> unexpected = new HashSet<>(present);
        unexpected.removeAll(vnodes.keySet());
        assertTrue(unexpected.size() <= extraVnodesAllowed, "vnodes nobody created: " + unexpected);
        Set<DescriptorId> presentDescriptors = new HashSet<>(back.descriptors(Descriptor.VOLUME));
        for (Map.Entry<DescriptorId, byte[]> e : descriptors.entrySet()) {
            if (!presentDescriptors.contains(e.getKey())) {
                assertTrue(descriptorsMaybeGone.contains(e.getKey()), e.getKey() + " was created durably but is gone");
                continue;
            }
            byte[] got = back.readDescriptor(e.getKey()).payload();
            boolean expected = Arrays.equals(e.getValue(), got) || (descriptorUnsure.contains(e.getKey())
                    && Arrays.equals(descriptorAlternative.get(e.getKey()), got));
            assertTrue(expected, e.getKey() + " holds a payload nobody wrote");
        }
        freed.forEach(id -> assertFalse(presentDescriptors.contains(id), id + " was freed durably but is back"));
        Set<DescriptorId> unknown = new HashSet<>(presentDescriptors);
        unknown.removeAll(descriptors.keySet());
        assertTrue(unknown.size() <= extraDescriptorsAllowed, "descriptors nobody created: " + unknown);
    }

    /** Per 4 KiB sector of a vnode: the content at the last flush point and every content a write gave it since. */
    static final class VnodeModel {
        final Map<Long, byte[]> current = new HashMap<>();
        final Map<Long, List<byte[]>> versions = new HashMap<>();

        VnodeModel copy() {
            VnodeModel m = new VnodeModel();
            current.forEach((s, b) -> m.current.put(s, b.clone()));
            m.flushPoint();
            return m;
        }

        void write(long position, byte[] data) {
            for (int i = 0; i < data.length; ) {
                long at = position + i;
                long sector = at / Blocks.SECTOR_SIZE;
                int within = (int) (at % Blocks.SECTOR_SIZE);
                int n = Math.min(data.length - i, Blocks.SECTOR_SIZE - within);
                byte[] before = current.computeIfAbsent(sector, s -> new byte[Blocks.SECTOR_SIZE]);
                byte[] content = before.clone();
                System.arraycopy(data, i, content, within, n);
                versions.computeIfAbsent(sector, s -> new ArrayList<>(List.of(before))).add(content);
                current.put(sector, content);
                i += n;
            }
        }

        void flushPoint() {
            versions.clear();
        }

        void check(SuperFileSystem fs, VnodeId id, boolean tornSectors) {
            Set<Long> sectors = new HashSet<>(current.keySet());
            sectors.addAll(versions.keySet());
            for (long sector : sectors) {
                byte[] got = new byte[Blocks.SECTOR_SIZE];
                fs.read(id, sector * Blocks.SECTOR_SIZE, MemorySegment.ofArray(got));
                List<byte[]> allowed = versions.getOrDefault(sector,
                        List.of(current.getOrDefault(sector, new byte[Blocks.SECTOR_SIZE])));
                boolean ok = allowed.stream().anyMatch(v -> Arrays.equals(v, got))
                        || (tornSectors && tornBetweenSuccessors(allowed, got));
                assertTrue(ok, () -> id + " sector " + sector + " holds content no write gave it (" + allowed.size()
                        + " allowed versions" + (tornSectors ? ", or a mix of two successive ones" : "") + ")");
            }
        }

        /** Whether every byte of {@code got} comes from one of two successive versions. */
        private static boolean tornBetweenSuccessors(List<byte[]> versions, byte[] got) {
            for (int v = 1; v < versions.size(); v++) {
                byte[] older = versions.get(v - 1);
                byte[] newer = versions.get(v);
                int i = 0;
                while (i < got.length && (got[i] == older[i] || got[i] == newer[i])) {
                    i++;
                }
                if (i == got.length) {
                    return true;
                }
            }
            return false;
        }
    }
}

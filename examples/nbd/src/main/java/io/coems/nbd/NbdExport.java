package io.coems.nbd;

import io.coems.vvm.BlockImage;
import io.coems.vvm.PoolException;
import io.coems.vvm.Snapshot;
import io.coems.vvm.Volume;
import io.coems.vvm.VolumePool;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One export: a volume (read-write unless the volume is read-only) under its name, or a snapshot
 * (always read-only) under {@code volume@snapshot}.
 */
record NbdExport(String name, BlockImage image, boolean writable) {

    /** The export's transmission flags for a client that did ({@code structured}) or did not negotiate structured replies. */
    int transmissionFlags(boolean structured) {
        int flags = Nbd.TF_HAS_FLAGS | Nbd.TF_SEND_CACHE | Nbd.TF_CAN_MULTI_CONN | Nbd.TF_SEND_FLUSH;
        if (structured) {
            flags |= Nbd.TF_SEND_DF;
        }
        return writable
                ? flags | Nbd.TF_SEND_FUA | Nbd.TF_SEND_TRIM | Nbd.TF_SEND_WRITE_ZEROES
                : flags | Nbd.TF_READ_ONLY;
    }

    /** Every export of {@code pool} now: each volume, then each of its snapshots. */
    static List<NbdExport> all(VolumePool pool) {
        List<NbdExport> exports = new ArrayList<>();
        for (Volume volume : pool.volumes()) {
            exports.add(of(volume));
            for (Snapshot snapshot : volume.history()) {
                exports.add(new NbdExport(volume.name() + "@" + snapshot.name(), snapshot, false));
            }
        }
        return exports;
    }

    /**
     * The export named {@code name}: a volume of that exact name, else {@code volume@snapshot}
     * split at whichever {@code @} names an existing volume and snapshot (names may hold {@code @}).
     */
    static Optional<NbdExport> find(VolumePool pool, String name) {
        try {
            Optional<Volume> volume = pool.findVolume(name);
            if (volume.isPresent()) {
                return Optional.of(of(volume.get()));
            }
            for (int at = name.indexOf('@'); at >= 0; at = name.indexOf('@', at + 1)) {
                Optional<Volume> owner = at == 0 ? Optional.empty() : pool.findVolume(name.substring(0, at));
                if (owner.isPresent()) {
                    Optional<Snapshot> snapshot = owner.get().findSnapshot(name.substring(at + 1));
                    if (snapshot.isPresent()) {
                        return Optional.of(new NbdExport(name, snapshot.get(), false));
                    }
                }
            }
        } catch (PoolException e) {
            return Optional.empty(); // an invalid name, or deleted meanwhile: no such export
        }
        return Optional.empty();
    }

    private static NbdExport of(Volume volume) {
        return new NbdExport(volume.name(), volume, !volume.isReadOnly());
    }
}

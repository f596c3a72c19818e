package io.coems.vvm;

/**
 * The space a volume's live state or a snapshot takes, in bytes, exact when measured.
 *
 * @param allocated   bytes of data it maps (whole 64 KiB blocks)
 * @param exclusive   bytes of data no other volume, snapshot or clone references
 * @param reclaimable bytes its deletion would give back: its exclusive data and the block
 *                    maps only it uses
 */
public record VolumeSpace(long allocated, long exclusive, long reclaimable) {
    /** Bytes of data it shares with other volumes, snapshots or clones. */
    public long shared() {
        return allocated - exclusive;
    }
}

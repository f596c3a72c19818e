/**
 * The façade users embed: {@link io.coems.vvm.VolumePool} (volumes, snapshots, revert, clones,
 * space accounting, diff, raw import and export) and {@link io.coems.vvm.ClientManager} (the
 * machines that use the volumes), over the Super File System.
 */
module io.coems.vvm {
    requires transitive io.coems.sfs;
    requires org.slf4j;

    exports io.coems.vvm;
}

/**
 * The NBD gateway: {@link io.coems.nbd.NbdServer} serves a {@link io.coems.vvm.VolumePool}'s
 * volumes and snapshots to standard NBD clients (qemu, nbd-client, libnbd tools, fio).
 */
module io.coems.nbd {
    requires transitive io.coems.vvm; // NbdServer.builder takes a VolumePool
    requires org.slf4j;

    exports io.coems.nbd;
}

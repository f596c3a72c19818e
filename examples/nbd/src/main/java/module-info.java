/**
 * The NBD gateway: {@link io.coems.nbd.NbdServer} serves a {@link io.coems.vvm.VolumePool}'s
 * volumes and snapshots to standard NBD clients (qemu, nbd-client, libnbd tools, fio).
 */
module io.coems.nbd {
    requires io.coems.vvm;
    requires org.slf4j;

    exports io.coems.nbd;
}

/**
 * The NVSP reference server: {@link io.coems.nvsp.server.NvspServer} hosts a
 * {@link io.coems.vvm.VolumePool} for many clients over UDP with the Network Volume Service
 * Protocol; {@link io.coems.nvsp.server.NvspMain} serves a pool directory from the command line.
 */
module io.coems.nvsp.server {
    requires transitive io.coems.vvm; // NvspServer.builder takes a VolumePool
    requires io.coems.nvsp;
    requires io.coems.nvsp.transport;
    requires org.slf4j;

    exports io.coems.nvsp.server;
}

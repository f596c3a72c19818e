/**
 * The NVSP client library: {@link io.coems.nvsp.client.NvspClient} opens an authenticated session
 * with an NVSP server, on which {@link io.coems.nvsp.client.RemoteVolume}s read and write like
 * local volumes and a {@link io.coems.nvsp.client.ManagementClient} manages the server's pool.
 * Depends on the codec and slf4j only: a client machine needs no pool.
 */
module io.coems.nvsp.client {
    requires transitive io.coems.nvsp; // Status and SecurityMode appear in the API
    requires io.coems.nvsp.transport;
    requires org.slf4j;

    exports io.coems.nvsp.client;
}

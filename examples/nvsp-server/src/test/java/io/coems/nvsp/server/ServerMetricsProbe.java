package io.coems.nvsp.server;

import io.coems.vvm.Client;

/** Reads one client's figures out of a server's metrics. */
final class ServerMetricsProbe {
    private ServerMetricsProbe() {
    }

    /** The client's refused requests, 0 if it never opened a session. */
    static long refused(NvspServer server, Client client) {
        return server.metrics().clients().stream().filter(c -> c.clientId() == client.id()).findFirst()
                .map(c -> c.drops().refused()).orElse(0L);
    }
}

/**
 * The NVSP reference server: {@link io.coems.nvsp.server.NvspServer} hosts a
 * {@link io.coems.vvm.VolumePool} for many clients over UDP with the Network Volume Service
 * Protocol (docs/nvsp.md); {@link io.coems.nvsp.server.ClientKeys} stores each client's
 * pre-shared key and role in the pool; {@link io.coems.nvsp.server.ServerMetrics} is a snapshot of
 * its counters; {@link io.coems.nvsp.server.NvspMain} serves a pool directory from the command
 * line. docs/nvsp-reference.md describes the design.
 *
 * <h2>Threading</h2>
 * A fixed set of threads: one receive thread (handshake, authentication, reassembly, duplicate
 * cache, credits, timers) owns the session table; {@code workers} threads take requests from a
 * fair scheduler (deficit round robin by bytes, weighted by each client's share, with optional
 * token-bucket caps), execute them on the thread-safe pool, and encode, seal and send the
 * responses. Each sending thread seals with its own sealer drawn from the session's one set of
 * keys. The public methods of the server may be called from any thread.
 *
 * <h2>Exceptions</h2>
 * {@link io.coems.nvsp.server.NvspServer#start()} throws {@link java.io.UncheckedIOException} if
 * it cannot bind and {@link java.lang.IllegalStateException} if started twice; builder methods and
 * {@link io.coems.nvsp.server.ClientKeys} throw {@link java.lang.IllegalArgumentException} naming a
 * bad value. Nothing a client sends reaches the caller: a request the server will not execute is
 * answered with its NVSP status (or dropped, as the spec says for forgeries, replays and failed
 * handshakes), counted in the metrics and logged at warn once per session and cause.
 */
package io.coems.nvsp.server;

/**
 * The NVSP client library: a volume on an NVSP server used like a local one, and the server's
 * pool managed remotely (the paper's virtual disk driver and client volume manager, as a Java
 * API). {@link io.coems.nvsp.client.NvspClient#connect} runs the handshake;
 * {@link io.coems.nvsp.client.RemoteVolume} reads, writes, flushes, trims, writes zeros and
 * reports block status; {@link io.coems.nvsp.client.ManagementClient} covers every management
 * operation of the protocol. The wire format and the crypto are the codec's
 * ({@code io.coems.nvsp}); this package adds the transport: request ids, credits, pipelining,
 * fragmentation and NACKs, RFC 6298 retransmission timeouts, keep-alives, and a new handshake
 * when the server restarts or shuts down (the requests in flight are sent again on the new
 * session).
 *
 * <p><b>Threading:</b> {@code NvspClient}, {@code RemoteVolume} and {@code ManagementClient} are
 * thread-safe; application threads encode, send and wait for their own requests, and one
 * receive thread per client dispatches responses and runs the timers. Records and options are
 * immutable.
 *
 * <p><b>Exceptions:</b> everything thrown is a {@link io.coems.nvsp.client.RemoteException}
 * (unchecked), whose {@code status()} is the server's answer or null for a local failure.
 * Subclasses name what a caller can act on: {@link io.coems.nvsp.client.RemoteTimeoutException},
 * {@link io.coems.nvsp.client.RemoteClosedException},
 * {@link io.coems.nvsp.client.RemotePermissionException},
 * {@link io.coems.nvsp.client.RemoteNotFoundException},
 * {@link io.coems.nvsp.client.RemoteNoSpaceException},
 * {@link io.coems.nvsp.client.RemoteArgumentException} (also for arguments checked before
 * anything is sent) and {@link io.coems.nvsp.client.RemoteIoException}. Datagrams that fail to
 * authenticate, replays, malformed and unexpected datagrams are dropped and counted
 * ({@link io.coems.nvsp.client.ClientStats#dropped()}), never thrown.
 *
 * <p><b>Logging</b> (slf4j, logger {@code io.coems.nvsp.client.NvspClient}): sessions opened,
 * renewed and closed at info; the first drop of each cause per session at warn, every drop at
 * debug.
 */
package io.coems.nvsp.client;

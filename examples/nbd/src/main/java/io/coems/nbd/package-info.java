/**
 * The NBD gateway: {@link io.coems.nbd.NbdServer} serves the volumes of a
 * {@link io.coems.vvm.VolumePool} read-write and their snapshots read-only
 * ({@code volume@snapshot}) to standard Network Block Device clients (qemu, libnbd's nbdinfo and
 * nbdcopy, fio, the Linux nbd-client), with the fixed newstyle handshake, NBD_OPT_GO/INFO/LIST,
 * structured replies and the {@code base:allocation} block status context.
 * {@link io.coems.nbd.NbdMain} serves a pool directory from the command line.
 *
 * <h2>Threading</h2>
 * One virtual thread accepts clients; one virtual thread per connection negotiates, then reads
 * the connection's requests and hands each to a virtual thread of its own, up to
 * {@link io.coems.nbd.NbdServer.Builder#maxRequestsInFlight} per connection (16 unless set), so a
 * client's requests overlap and may be answered out of order (NBD matches replies by cookie).
 * Each reply is written whole under the connection's output lock. Connections and requests run
 * in parallel on the thread-safe pool. The server's public methods may be called from any
 * thread. Flushes are pool-wide, so the server advertises that clients may open several
 * connections to one export (CAN_MULTI_CONN).
 *
 * <h2>Exceptions</h2>
 * {@link io.coems.nbd.NbdServer#start()} throws {@link java.io.UncheckedIOException} if it cannot
 * listen, and {@link java.lang.IllegalStateException} if started twice. Nothing a client sends
 * reaches the caller: a request the server cannot serve is answered with an NBD error number
 * (EINVAL, EOVERFLOW, EPERM, ENOSPC, EIO, ESHUTDOWN) and the connection stays open; only a client
 * that breaks the framing (a bad magic number) is disconnected, and that is logged.
 */
package io.coems.nbd;

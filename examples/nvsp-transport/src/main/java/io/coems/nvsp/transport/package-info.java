/**
 * UDP ports for the NVSP server and client. {@link io.coems.nvsp.transport.DatagramPort#bind}
 * and {@link io.coems.nvsp.transport.DatagramPort#connect} open a non-blocking port that sends
 * and receives <em>batches</em> of equal-sized datagrams: on 64-bit Linux with native access
 * enabled for this module, one system call per batch each way (UDP GSO and GRO through the FFM
 * API); otherwise a {@code DatagramChannel}, one datagram per call, with no JVM flag needed and
 * no warning printed. The system property {@code coems.nvsp.batching=false} forces the channel.
 *
 * <p><b>Threading:</b> a port sends from any number of threads at once; one thread waits and
 * receives; {@code wakeup} and {@code close} may come from any thread.
 *
 * <p><b>Exceptions:</b> {@link java.io.IOException}s as a {@code DatagramChannel} throws them
 * ({@code ClosedChannelException} after close, {@code PortUnreachableException} when a connected
 * peer refused a datagram); {@code IllegalArgumentException} for a batch out of range.
 */
package io.coems.nvsp.transport;

/**
 * Benchmarks of NVSP: the codec (frame-header and message encode+decode, with and without
 * AES-256-GCM; run with {@code -prof gc} for allocation per operation), the JDK's GCM opening a
 * datagram in place or out of place, block I/O over loopback against the local volume
 * ({@link io.coems.benchmarks.nvsp.NvspIoBenchmark}), and the ceiling of the read path under it
 * ({@link io.coems.benchmarks.nvsp.UdpCeiling}, a program, not JMH).
 *
 * <p>Threading: codec states are per thread; {@code NvspIoBenchmark} shares one server and pool
 * between its threads, each thread being one client; {@code UdpCeiling} runs its own sending and
 * receiving threads. Exceptions of the library propagate and fail the run.
 */
package io.coems.benchmarks.nvsp;

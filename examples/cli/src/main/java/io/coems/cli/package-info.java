/**
 * The {@code coems} command line: pools, volumes, snapshots, clones and clients of a directory
 * {@link io.coems.vvm.VolumePool}, built with picocli and run through the launcher
 * {@code bin/coems}. {@link io.coems.cli.Coems} is the entry point; {@link io.coems.cli.Sizes}
 * reads and writes human sizes, {@link io.coems.cli.Table} aligns tables, {@link io.coems.cli.Json}
 * writes the {@code --json} output and {@link io.coems.cli.ProgressBar} draws transfers.
 * {@code coems bench} ({@code BenchCommand}) runs a {@code Workload} with the knobs of
 * {@code qemu-img bench} on a pool it makes for the purpose, after preparing a {@code BenchScenario}.
 *
 * <h2>Threading</h2>
 * One command runs on the main thread: it opens the pool, makes its change, closes the pool.
 * Nothing here is meant to be shared between threads, except in {@code coems bench}: its
 * {@code WorkloadRunner} issues requests from one virtual thread per request in flight, all taking
 * them from one thread-safe {@code RequestSchedule}.
 *
 * <h2>Exceptions and exit codes</h2>
 * A {@link io.coems.vvm.PoolException} or any other failure of the operation is one line on
 * standard error and exit code 1; a usage error (picocli's {@code ParameterException}, also for a
 * missing {@code --pool} or a bad size) is one line and exit code 2. {@code --verbose} adds a line
 * per cause. Only {@link io.coems.cli.Output} writes to standard output and error.
 */
package io.coems.cli;

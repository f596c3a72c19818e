/**
 * JMH benchmarks of the VolumePool (issue 5): volume reads and writes of owned blocks against
 * the raw mapped device in the same run, first writes after a snapshot, snapshot and clone
 * latency at 64 MiB and 8 GiB written, and the open of a pool of 10,000 volumes with 10
 * snapshots each ({@link io.coems.benchmarks.vvm.LargePool}). Single-threaded states, except
 * {@code VolumeScalingBenchmark}'s pool, which its threads share ({@code -t 2}). Exceptions of
 * the library propagate and fail the run.
 */
package io.coems.benchmarks.vvm;

/**
 * JMH benchmarks of the Storage Matrix: raw devices (the baseline), RAID layouts, full-stripe
 * writes, degraded reads and the parity kernels. {@link io.coems.benchmarks.matrix.Fixtures}
 * holds the shared setup. Single-threaded states; every state closes what it opened.
 * Exceptions of the library propagate and fail the run.
 */
package io.coems.benchmarks.matrix;

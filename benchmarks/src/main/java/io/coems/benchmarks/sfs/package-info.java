/**
 * JMH benchmarks of the Super File System over a one-device Storage Matrix: spawn at two
 * sizes, the first write after a spawn, overwrites of owned blocks, group commit of the journal
 * and the cost of a flush. Single-threaded states; compare with the raw-device baseline of the
 * same run. Exceptions of the library propagate and fail the run.
 */
package io.coems.benchmarks.sfs;

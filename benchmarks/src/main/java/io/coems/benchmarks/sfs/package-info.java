/**
 * JMH benchmarks of the Super File System over a one-device Storage Matrix: spawn at two
 * sizes, the first write after a spawn, and overwrites of owned blocks. Single-threaded
 * states; compare with the raw-device baseline of the same run.
 */
package io.coems.benchmarks.sfs;

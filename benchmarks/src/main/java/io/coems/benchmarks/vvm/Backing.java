package io.coems.benchmarks.vvm;

/**
 * What a benchmark pool is stored on: {@code FILE}, a directory pool (a sparse memory-mapped
 * device file in a temporary directory on disk; commits {@code msync}); {@code MEMORY}, a pool
 * over one off-heap memory device (the same journal work, a no-op device flush).
 */
public enum Backing { FILE, MEMORY }

/**
 * JMH benchmarks of the NVSP codec: frame-header and message encode+decode, with and without
 * AES-256-GCM. Run with {@code -prof gc} for allocation per operation.
 */
package io.coems.benchmarks.nvsp;

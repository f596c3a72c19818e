package io.coems.nvsp.client;

/**
 * One extent of a volume as BLOCK_STATUS reports it.
 *
 * @param offset the first byte of the extent in the volume
 * @param length its length in bytes
 * @param hole true when the extent is not allocated
 * @param zero true when the extent reads as zeros
 */
public record RemoteExtent(long offset, long length, boolean hole, boolean zero) {
}

/**
 * The on-disk layouts of SFS, each drawn byte by byte in the class that owns it:
 * {@link io.coems.sfs.format.Geometry} (block groups), {@link io.coems.sfs.format.Superblock},
 * {@link io.coems.sfs.format.MetaBlock} (the checksummed trailer of every metadata block),
 * {@link io.coems.sfs.format.VnodeRecord}, {@link io.coems.sfs.format.DescriptorRecord} and
 * {@link io.coems.sfs.format.Pointers} (owner bit and block number). {@code docs/sfs-format.md}
 * gathers them.
 *
 * <p>Records and geometry are immutable and thread-safe; the flyweights are not (one per
 * thread, over a block the caller owns). Decoders return null or report invalid content
 * rather than throw, except {@link io.coems.sfs.format.Geometry#of}, which throws
 * {@code SfsArgumentException} for sizes that do not fit.
 */
package io.coems.sfs.format;

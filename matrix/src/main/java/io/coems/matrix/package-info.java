/**
 * The Storage Matrix API: {@link io.coems.matrix.StorageMatrix} concatenates Logical Block
 * Spaces ({@link io.coems.matrix.LbsSpec}, {@link io.coems.matrix.RaidMode}) of
 * {@link io.coems.matrix.BlockDevice}s into one space of 64 KiB blocks
 * ({@link io.coems.matrix.Blocks}).
 *
 * <h2>Threading</h2>
 * Every {@link io.coems.matrix.BlockStore} here is thread-safe. Writes to one stripe are
 * serialised by a stripe lock; reads of healthy members take no lock. Rebuilds run on their
 * own thread; scrubs in the caller's, both while other I/O goes on.
 *
 * <h2>Exceptions</h2>
 * All unchecked, under {@link io.coems.matrix.MatrixException}:
 * {@link io.coems.matrix.MatrixArgumentException} (bad input, nothing written),
 * {@link io.coems.matrix.MatrixClosedException},
 * {@link io.coems.matrix.MatrixIoException} and its
 * {@link io.coems.matrix.RedundancyLostException} (device failures beyond the mode's tolerance),
 * {@link io.coems.matrix.MatrixAssemblyException} (devices that do not form the matrix) and
 * {@link io.coems.matrix.DeviceNotEmptyException} (refusal to overwrite). Messages name the
 * offending value, device path or member.
 *
 * <h2>Durability</h2>
 * A write is durable once a later {@code flush()} returns. A crash may leave any unflushed
 * write in place or not, per 4 KiB sector; it never changes a block that was not being
 * written (the write-intent bitmap resynchronises parity and mirrors on open).
 */
package io.coems.matrix;

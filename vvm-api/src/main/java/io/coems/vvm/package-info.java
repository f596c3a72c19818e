/**
 * Virtual volumes: {@link io.coems.vvm.VolumePool} holds thin {@link io.coems.vvm.Volume}s, their
 * {@link io.coems.vvm.Snapshot}s (each volume's journal) and the clones made from them, and
 * {@link io.coems.vvm.ClientManager} the machines that use them. Every record lives in SFS
 * descriptors on the pool's own devices.
 *
 * <h2>Threading</h2>
 * Everything is thread-safe. Volume and snapshot I/O runs in parallel and takes no pool-wide
 * lock; configuration changes (create, rename, resize, snapshot, revert, clone, delete, clients)
 * run one at a time, each one atomic and durable when it returns. {@link io.coems.vvm.Volume}
 * and {@link io.coems.vvm.Snapshot} are handles, cheap to make and safe to share.
 *
 * <h2>Exceptions</h2>
 * All unchecked, under {@link io.coems.vvm.PoolException}: {@link io.coems.vvm.PoolArgumentException}
 * (bad name, size, range, foreign object), {@link io.coems.vvm.PoolNoSpaceException},
 * {@link io.coems.vvm.PoolNotFoundException} (deleted or unknown), {@link io.coems.vvm.PoolReadOnlyException},
 * {@link io.coems.vvm.PoolLeaseException}, {@link io.coems.vvm.PoolClosedException},
 * {@link io.coems.vvm.PoolFormatException} (no pool, newer format), {@link io.coems.vvm.PoolCorruptException}
 * and {@link io.coems.vvm.PoolIoException}. A refused operation changes nothing.
 */
package io.coems.vvm;

/**
 * The Super File System API: {@link io.coems.sfs.SuperFileSystem} manages the blocks of a
 * Storage Matrix as copy-on-write <b>vnodes</b> ({@link io.coems.sfs.VnodeId}) and typed
 * <b>descriptors</b> ({@link io.coems.sfs.DescriptorId}) for the layers above.
 *
 * <h2>Threading</h2>
 * {@code SuperFileSystem} is thread-safe. Operations on one vnode are ordered by that vnode's
 * lock (shared for reads and for writes into owned blocks, exclusive for changes of its map);
 * metadata changes of all vnodes are serialised by one metadata lock, held only while a
 * transaction is open.
 *
 * <h2>Exceptions</h2>
 * All unchecked, under {@link io.coems.sfs.SfsException}: {@link io.coems.sfs.SfsArgumentException}
 * (nothing changed), {@link io.coems.sfs.SfsNoSpaceException} (thrown before any change),
 * {@link io.coems.sfs.SfsNotFoundException} (unknown or stale id),
 * {@link io.coems.sfs.SfsClosedException}, {@link io.coems.sfs.SfsCorruptException} (names the
 * block), {@link io.coems.sfs.SfsFormatException} (no SFS, newer format) and
 * {@link io.coems.sfs.SfsIoException} (the matrix below failed; the cause is its exception).
 */
package io.coems.sfs;

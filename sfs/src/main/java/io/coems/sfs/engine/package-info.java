/**
 * Internal: the SFS engine behind {@code SuperFileSystem}. {@link io.coems.sfs.engine.Engine}
 * orchestrates; {@code Transaction} (with its {@code UndoLog}) and {@code MetaCache} carry every
 * metadata change;
 * {@code BlockCounts}, {@code GroupTable} and {@code VnodeTable} allocate; {@code BlockMap}
 * maps, copies on write and releases; {@code Growth} adds block groups when the store grows;
 * {@code Descriptors} and {@code Checker} do what their names say. Not exported from the module.
 *
 * <p><b>Threading:</b> lock order is vnode lock, then the metadata lock; a
 * {@code Transaction} belongs to the thread holding the metadata lock. <b>Exceptions:</b>
 * those of {@code io.coems.sfs}; matrix failures arrive wrapped in {@code SfsIoException}.
 */
package io.coems.sfs.engine;

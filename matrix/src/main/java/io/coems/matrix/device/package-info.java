/**
 * Block devices: {@link io.coems.matrix.device.MappedFileDevice} (a file mapped through
 * {@code java.lang.foreign}), {@link io.coems.matrix.device.MemoryDevice} (off-heap memory)
 * and {@link io.coems.matrix.device.FaultInjectingDevice} (failures, corruption and power
 * cuts, for tests of this library and of its users).
 *
 * <p><b>Threading:</b> all devices are thread-safe; the fault injector serialises its
 * operations. <b>Exceptions:</b> those of {@code io.coems.matrix}: bad ranges throw
 * {@code MatrixArgumentException} before anything is written, failing media
 * {@code MatrixIoException}, use after close {@code MatrixClosedException}.
 */
package io.coems.matrix.device;

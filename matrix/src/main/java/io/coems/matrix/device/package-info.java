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
 *
 * <p><b>Native access:</b> none is needed, except to create a
 * {@linkplain io.coems.matrix.device.MappedFileDevice.Allocation#PREALLOCATED preallocated}
 * device file (Linux {@code fallocate} through {@code java.lang.foreign}); without it that
 * create throws {@code MatrixArgumentException}, naming the JVM flag, before the file is touched.
 */
package io.coems.matrix.device;

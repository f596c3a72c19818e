/**
 * Runnable programs. {@link io.coems.examples.VolumePoolDemo}, the demo the README runs first,
 * gives 50 clients a clone each of one golden image in a {@link io.coems.vvm.VolumePool}, undoes
 * a virus on one by reverting it to a snapshot, and tables clone and revert times and the space
 * saved. {@link io.coems.examples.MatrixDemo} walks through the Storage Matrix:
 * RAID-5 and RAID-1 spaces in files, a failed disk, an online rebuild, a scrub, online growth
 * and reassembly from shuffled files.
 *
 * <p>Programs print to standard output (they are programs, not library code) and are
 * single-threaded except where they demonstrate concurrent I/O. An exception of the library
 * propagates out of {@code main} and ends the program.
 */
package io.coems.examples;

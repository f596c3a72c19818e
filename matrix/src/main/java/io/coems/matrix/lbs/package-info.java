/**
 * Internal: the Logical Block Space engine behind {@code StorageMatrix}. {@link
 * io.coems.matrix.lbs.Lbs} holds what all modes share (access splitting, member I/O and
 * failure marking, labels, write-intent log, rebuild, scrub, resync); {@code MirrorLbs} places
 * copies (NORMAL, RAID-0, RAID-1, RAID-10), {@code ParityLbs} parity (RAID-5, RAID-6).
 * On-media layouts are drawn in {@link io.coems.matrix.lbs.MemberLabel} and
 * {@code WriteIntentLog}. Not exported from the module; public only for the API package and
 * for benchmarks on the class path.
 *
 * <p><b>Threading:</b> lock order is write gate (read side) &rarr; stripe lock &rarr;
 * write-intent monitor &rarr; space monitor; nothing takes them in another order.
 * <b>Exceptions:</b> those of {@code io.coems.matrix}; a member's {@code MatrixIoException}
 * marks it failed in redundant modes and is absorbed while redundancy remains.
 */
package io.coems.matrix.lbs;

/**
 * The protection of a session: the handshake proofs over the pre-shared key
 * ({@link io.coems.nvsp.crypto.Handshake}), HKDF-SHA256 key derivation
 * ({@link io.coems.nvsp.crypto.Hkdf}, {@link io.coems.nvsp.crypto.SessionKeys}), AES-256-GCM
 * sealing and opening of datagrams ({@link io.coems.nvsp.crypto.Sealer},
 * {@link io.coems.nvsp.crypto.Opener}) and the {@link io.coems.nvsp.crypto.ReplayWindow}.
 * JDK {@code javax.crypto} only.
 *
 * <p><b>Threading:</b> sealers, openers and replay windows are not thread-safe: one per thread
 * and direction. Keys are immutable.
 *
 * <p><b>Exceptions:</b> a datagram that fails authentication raises
 * {@link io.coems.nvsp.AuthenticationException}, a replay {@link io.coems.nvsp.ReplayException};
 * both carry no stack trace and mean: drop, count, do not answer. A sender out of sequences
 * raises {@link io.coems.nvsp.SequenceExhaustedException}.
 */
package io.coems.nvsp.crypto;

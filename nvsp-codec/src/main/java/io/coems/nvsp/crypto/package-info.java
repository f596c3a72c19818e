/**
 * The protection of a session: the handshake proofs over the pre-shared key
 * ({@link io.coems.nvsp.crypto.Handshake}), HKDF-SHA256 key derivation
 * ({@link io.coems.nvsp.crypto.Hkdf}, {@link io.coems.nvsp.crypto.SessionKeys}), AES-256-GCM
 * sealing and opening of datagrams ({@link io.coems.nvsp.crypto.Sealer},
 * {@link io.coems.nvsp.crypto.Opener}) and the {@link io.coems.nvsp.crypto.ReplayWindow}.
 * JDK {@code javax.crypto} only. An opener decrypts a datagram in place, or a fragment straight
 * into the range its {@link io.coems.nvsp.frame.Reassembler} reserved for it
 * ({@link io.coems.nvsp.crypto.Opener#openInto}), so the plaintext is never copied.
 *
 * <p><b>Threading:</b> derive one {@link io.coems.nvsp.crypto.SessionKeys} per session; it holds
 * the one sending sequence and the one replay window of each direction. Sealers and openers are
 * not thread-safe: take one per thread from that {@code SessionKeys}. The sealers of a direction
 * share its sequence (so nonces are never reused) and its openers share its replay window (so a
 * datagram is accepted once). Keys and replay windows are thread-safe.
 *
 * <p><b>Exceptions:</b> a datagram that fails authentication raises
 * {@link io.coems.nvsp.AuthenticationException}, a replay {@link io.coems.nvsp.ReplayException};
 * both carry no stack trace and mean: drop, count, do not answer. A sender out of sequences
 * raises {@link io.coems.nvsp.SequenceExhaustedException}.
 */
package io.coems.nvsp.crypto;

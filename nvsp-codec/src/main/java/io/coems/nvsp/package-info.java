/**
 * The NVSP codec's foundation: the {@link io.coems.nvsp.Flyweight} base of every encoder and
 * decoder, the response {@link io.coems.nvsp.Status} values, the
 * {@link io.coems.nvsp.SecurityMode} of a session, and the exceptions.
 *
 * <p><b>Threading:</b> flyweights, sealers, openers and reassemblers are not thread-safe: use
 * one per thread. Enums and exceptions are immutable.
 *
 * <p><b>Exceptions:</b> the codec throws only {@link io.coems.nvsp.NvspException} and its
 * subclasses, all unchecked, for anything a peer sends. Each names the
 * {@link io.coems.nvsp.Status} to answer with, or {@link io.coems.nvsp.Status#DROP} when the
 * datagram must be dropped silently. Programming errors of the caller while encoding are
 * {@link io.coems.nvsp.EncodingException}s; invalid configuration arguments (a key of the wrong
 * size) are {@link IllegalArgumentException}s.
 */
package io.coems.nvsp;

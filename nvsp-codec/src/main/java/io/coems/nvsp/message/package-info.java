/**
 * The message bodies: the {@link io.coems.nvsp.message.MessageHeader} (type and block length)
 * and one flyweight per {@link io.coems.nvsp.message.Layout}, each both encoder and decoder.
 *
 * <p>Versioning follows SBE: a later version only appends fields to a block (or to an entry)
 * and only adds message types; a reader uses the block length the sender wrote to skip fields
 * it does not know, and an unknown type raises
 * {@link io.coems.nvsp.UnsupportedMessageTypeException}, answered with an {@code ERROR} of
 * status {@code ENOTSUP} while the session goes on. All integers are little-endian and
 * unsigned.
 *
 * <p><b>Threading:</b> flyweights are not thread-safe: one per thread, re-wrapped for every
 * message. Wrapping and reading allocate nothing (except {@code toString}, the name and secret
 * of management requests, and the handshake transcripts).
 *
 * <p><b>Exceptions:</b> only {@link io.coems.nvsp.NvspException} subclasses: decoding throws
 * {@link io.coems.nvsp.MalformedMessageException} naming the field and offset,
 * {@link io.coems.nvsp.UnsupportedMessageTypeException} or
 * {@link io.coems.nvsp.ChecksumMismatchException}; encoding throws
 * {@link io.coems.nvsp.EncodingException}.
 */
package io.coems.nvsp.message;

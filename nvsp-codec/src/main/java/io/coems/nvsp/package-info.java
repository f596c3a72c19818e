/**
 * The NVSP codec's foundation: the {@link io.coems.nvsp.Flyweight} base of every encoder and
 * decoder, the response {@link io.coems.nvsp.Status} values, the
 * {@link io.coems.nvsp.SecurityMode} of a session, and the exceptions.
 *
 * <p>Sending a READ on an established, encrypted session (one set of flyweights per thread,
 * one buffer reused for every datagram):
 *
 * <pre>{@code
 * frame.encode(buffer, 0, maxDatagram).sessionId(session).requestId(id).credits(wanted);
 * int length = read.encode(buffer, FrameHeader.LENGTH, room, MessageType.READ)
 *         .volumeId(volume).volumeOffset(offset).length(65536).encodedLength();
 * frame.payloadLength(length);
 * int datagramLength = sealer.seal(frame);          // sequence, flags, AES-GCM, tag
 * }</pre>
 *
 * Receiving:
 *
 * <pre>{@code
 * frame.wrap(buffer, 0, received);                  // version, flags, lengths
 * opener.open(frame);                               // replay window, tag, decrypt in place
 * if (frame.fragmentCount() > 1) {                  // reassembler.accept(frame, now) ...
 * }
 * MessageType type = header.wrap(buffer, frame.payloadOffset(), frame.payloadLength()).type();
 * switch (type.layout()) {
 *     case BLOCK -> handle(block.wrap(buffer, frame.payloadOffset(), frame.payloadLength()));
 *     ...
 * }
 * }</pre>
 *
 * <p><b>Threading:</b> flyweights, sealers, openers and reassemblers are not thread-safe: use
 * one per thread. Sealers and openers come from the session's one
 * {@link io.coems.nvsp.crypto.SessionKeys}, which shares each direction's packet sequence and
 * replay window between them. Enums and exceptions are immutable.
 *
 * <p><b>Exceptions:</b> the codec throws only {@link io.coems.nvsp.NvspException} and its
 * subclasses, all unchecked, for anything a peer sends. Each names the
 * {@link io.coems.nvsp.Status} to answer with, or {@link io.coems.nvsp.Status#DROP} when the
 * datagram must be dropped silently. Programming errors of the caller while encoding are
 * {@link io.coems.nvsp.EncodingException}s; invalid configuration arguments (a key of the wrong
 * size) are {@link IllegalArgumentException}s.
 */
package io.coems.nvsp;

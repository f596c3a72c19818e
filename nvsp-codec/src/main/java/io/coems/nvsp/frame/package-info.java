/**
 * The transport frame: the {@link io.coems.nvsp.frame.FrameHeader} that starts every datagram,
 * and the splitting of a message into fragments and their reassembly.
 *
 * <p><b>Threading:</b> not thread-safe: one header flyweight, fragmenter and reassembler per
 * thread (a reassembler belongs to the thread that receives the datagrams it collects).
 *
 * <p><b>Exceptions:</b> only {@link io.coems.nvsp.NvspException} subclasses: a malformed or
 * inconsistent header or fragment is a {@link io.coems.nvsp.MalformedMessageException}, an
 * unknown version an {@link io.coems.nvsp.UnsupportedVersionException}.
 */
package io.coems.nvsp.frame;

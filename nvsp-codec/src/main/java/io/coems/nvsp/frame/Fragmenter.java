package io.coems.nvsp.frame;

import io.coems.nvsp.EncodingException;
import java.lang.foreign.MemorySegment;

/**
 * Splits an encoded message into datagrams no larger than the negotiated maximum, so IP never
 * fragments them. Every fragment but the last carries {@link #maxPayload()} bytes; each names
 * its index, the fragment count and its byte offset in the message. Allocation-free; holds no
 * state besides its configuration, so it may be shared between threads.
 */
public final class Fragmenter {
    private final int maxPayload;

    /**
     * Creates a fragmenter.
     *
     * @param maxDatagram the negotiated maximum datagram size ({@link FrameHeader#DEFAULT_MAX_DATAGRAM}
     *     unless negotiated otherwise)
     * @param sealed whether datagrams get a {@link FrameHeader#TAG_LENGTH}-byte tag after sealing
     */
    public Fragmenter(int maxDatagram, boolean sealed) {
        this.maxPayload = maxDatagram - FrameHeader.LENGTH - (sealed ? FrameHeader.TAG_LENGTH : 0);
        if (maxPayload <= 0 || maxDatagram > 0xFFFF) {
            throw new IllegalArgumentException("maximum datagram of " + maxDatagram + " bytes");
        }
    }

    /**
     * Returns how many message bytes one datagram carries.
     *
     * @return the payload size of every fragment but the last
     */
    public int maxPayload() {
        return maxPayload;
    }

    /**
     * Returns how many fragments a message needs.
     *
     * @param messageLength the encoded message length
     * @return at least 1
     * @throws EncodingException if the length is negative or the message needs more than
     *     65,535 fragments
     */
    public int fragmentCount(int messageLength) {
        if (messageLength < 0) {
            throw new EncodingException("messageLength", "negative length " + messageLength);
        }
        long count = Math.max(1, ((long) messageLength + maxPayload - 1) / maxPayload);
        if (count > 0xFFFF) {
            throw new EncodingException("fragmentCount", messageLength + " bytes need " + count + " fragments");
        }
        return (int) count;
    }

    /**
     * Writes one fragment: its fragment fields, its frame length and its payload. Every other
     * header field (session, sequence, request id, credits) is the caller's, written before or
     * after; the frame is then sealed if the session is protected.
     *
     * @param frame a header wrapped for encoding over the datagram
     * @param message the encoded message
     * @param messageOffset where it starts
     * @param messageLength its length
     * @param index the fragment to write, below {@link #fragmentCount(int)}
     * @return the frame length written
     * @throws EncodingException if the length is negative, the message needs too many
     *     fragments or the index is not one of its fragments
     */
    public int writeFragment(FrameHeader frame, MemorySegment message, long messageOffset,
            int messageLength, int index) {
        int start = writeFragmentHeader(frame, messageLength, index);
        MemorySegment.copy(message, messageOffset + start, frame.segment(), frame.payloadOffset(), frame.payloadLength());
        return frame.frameLength();
    }

    /**
     * Writes one fragment's header fields, its fragment fields and its frame length (for its
     * payload length), but not its payload: for a sender that moves the payload into the
     * datagram itself, for example by encrypting it there from the message buffer. As in
     * {@link #writeFragment}, every other header field is the caller's.
     *
     * @param frame a header wrapped for encoding over the datagram
     * @param messageLength the encoded message length
     * @param index the fragment to describe, below {@link #fragmentCount(int)}
     * @return where the fragment's payload starts in the message; it is
     *     {@link FrameHeader#payloadLength()} bytes long
     * @throws EncodingException if the length is negative, the message needs too many
     *     fragments or the index is not one of its fragments
     */
    public int writeFragmentHeader(FrameHeader frame, int messageLength, int index) {
        int count = fragmentCount(messageLength);
        long start = (long) index * maxPayload;
        int length = (int) Math.min(maxPayload, messageLength - start);
        frame.fragment(index, count, start).payloadLength(length);
        return (int) start;
    }
}

package io.coems.nvsp.server;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The server's budget of large message buffers, heap arrays allocated once: each holds a whole
 * message of the largest size (a WRITE being executed, a READ_RESPONSE being sent). They are on
 * the heap because the JDK's AES-GCM runs in one pass only over arrays: a fragment of a
 * response is encrypted from its buffer straight into the datagram ({@link Transmitter}). A
 * fragmented READ_RESPONSE is <em>kept</em> after it is sent, so a client's NACK is answered
 * with exactly the missing fragments; when no buffer is free, the oldest kept response is
 * dropped (the client then retransmits the READ, which runs again). Kept responses are pinned
 * while they are being sent or resent, and dropped with their session. Thread-safe.
 */
final class BufferPool {
    /** How many times over its fragments a kept response may be resent, in all. */
    static final int RESENDS = 2;

    /** One buffer and what it holds. */
    static final class Buffer {
        private final byte[] array;
        private final MemorySegment segment;
        private Session session;
        private long requestId;
        private int length;
        private int pins;
        private boolean kept;
        /** Fragments of the kept response resent so far; only the receive thread resends. */
        private int resent;

        private Buffer(byte[] array) {
            this.array = array;
            this.segment = MemorySegment.ofArray(array);
        }

        /** The memory, from offset 0: {@link #array()}. */
        MemorySegment segment() {
            return segment;
        }

        /** The array under {@link #segment()}. */
        byte[] array() {
            return array;
        }

        /** The length of the kept response. */
        int length() {
            return length;
        }

        /**
         * Counts {@code fragments} about to be resent, if the response's budget of
         * {@value #RESENDS} times its {@code count} fragments allows them.
         *
         * @return false, and nothing counted, if it does not
         */
        boolean resend(int fragments, int count) {
            if (resent + fragments > RESENDS * count) {
                return false;
            }
            resent += fragments;
            return true;
        }
    }

    private final int bufferSize;
    private final ArrayDeque<Buffer> free = new ArrayDeque<>();
    /** Kept responses, oldest first. */
    private final ArrayDeque<Buffer> kept = new ArrayDeque<>();

    /**
     * Allocates the buffers.
     *
     * @param count how many
     * @param bufferSize bytes each
     */
    BufferPool(int count, int bufferSize) {
        this.bufferSize = bufferSize;
        for (int i = 0; i < count; i++) {
            free.add(new Buffer(new byte[bufferSize]));
        }
    }

    /** Bytes in each buffer. */
    int bufferSize() {
        return bufferSize;
    }

    /** A free buffer, the oldest unpinned kept response dropped for it if need be; null if none. */
    synchronized Buffer take() {
        Buffer buffer = free.pollFirst();
        if (buffer != null) {
            return buffer;
        }
        for (Iterator<Buffer> it = kept.iterator(); it.hasNext(); ) {
            Buffer candidate = it.next();
            if (candidate.pins == 0) {
                it.remove();
                candidate.kept = false;
                candidate.session = null;
                return candidate;
            }
        }
        return null;
    }

    /** Gives a buffer taken before back. */
    synchronized void give(Buffer buffer) {
        free.addLast(buffer);
    }

    /**
     * Keeps the response in {@code buffer} for NACKs, if another buffer can take its place. It is
     * kept before it is sent, so a NACK can never arrive before it; a kept buffer is returned
     * pinned, and the sender {@link #unpin}s it once the response is sent.
     *
     * @return the buffer to use from now on instead: a fresh one, or {@code buffer} itself when
     *     none could be had (the response is then not kept, nor pinned)
     */
    synchronized Buffer keep(Buffer buffer, Session session, long requestId, int length) {
        forget(session, requestId);
        Buffer replacement = take();
        if (replacement == null) {
            return buffer;
        }
        buffer.session = session;
        buffer.requestId = requestId;
        buffer.length = length;
        buffer.resent = 0;
        buffer.kept = true;
        buffer.pins++;
        kept.addLast(buffer);
        return replacement;
    }

    /** Drops the kept response of a request run again: the new one replaces it. */
    private void forget(Session session, long requestId) {
        for (Iterator<Buffer> it = kept.iterator(); it.hasNext(); ) {
            Buffer buffer = it.next();
            if (buffer.session == session && buffer.requestId == requestId) {
                drop(it, buffer);
                return;
            }
        }
    }

    /** The kept response of a request, pinned until {@link #unpin}; null if not kept. */
    synchronized Buffer pin(Session session, long requestId) {
        for (Buffer buffer : kept) {
            if (buffer.session == session && buffer.requestId == requestId) {
                buffer.pins++;
                return buffer;
            }
        }
        return null;
    }

    /** Ends a {@link #pin}; a response whose session closed meanwhile is freed. */
    synchronized void unpin(Buffer buffer) {
        if (--buffer.pins == 0 && !buffer.kept) {
            free.addLast(buffer);
        }
    }

    /** Drops the kept responses of a closed session. */
    synchronized void release(Session session) {
        for (Iterator<Buffer> it = kept.iterator(); it.hasNext(); ) {
            Buffer buffer = it.next();
            if (buffer.session == session) {
                drop(it, buffer);
            }
        }
    }

    /** Takes a kept response out of the list; its buffer is free once unpinned. */
    private void drop(Iterator<Buffer> it, Buffer buffer) {
        it.remove();
        buffer.kept = false;
        buffer.session = null;
        if (buffer.pins == 0) {
            free.addLast(buffer);
        }
    }
}

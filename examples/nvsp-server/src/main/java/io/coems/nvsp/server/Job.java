package io.coems.nvsp.server;

import io.coems.nvsp.MalformedMessageException;
import io.coems.nvsp.message.BlockRequest;
import io.coems.nvsp.message.MessageType;
import io.coems.nvsp.message.RangeRequest;
import java.lang.foreign.MemorySegment;

/**
 * One request between its arrival and its response: a copy of the message (in the job's own
 * small buffer, or in a large buffer borrowed from the {@link BufferPool} for a WRITE's data),
 * its request id and type, when it arrived and what it costs the scheduler. A session owns as
 * many jobs as it has credits, so a request without a free job is beyond the credits.
 */
final class Job {
    /** Size of a job's own buffer: every request but a WRITE with data fits. */
    static final int INLINE_BYTES = 2048;
    /** The least a request costs the scheduler, in bytes, so requests without data count too. */
    static final long MIN_COST = 4096;

    final Session session;
    final Flow flow;
    private final MemorySegment inline = MemorySegment.ofArray(new byte[INLINE_BYTES]);
    private BufferPool.Buffer large;
    private int length;
    long requestId;
    MessageType type;
    long arrivedNanos;
    /** What the request costs the fair scheduler: its data bytes, at least {@link #MIN_COST}. */
    long cost;
    /** Data bytes the request moves, charged to a bandwidth cap. */
    long dataBytes;

    /**
     * Creates a job.
     *
     * @param session the session it serves (null in scheduler tests)
     * @param flow the session's flow
     */
    Job(Session session, Flow flow) {
        this.session = session;
        this.flow = flow;
    }

    /**
     * Copies a message in: into the job's own buffer when it fits, else into a buffer of the pool.
     *
     * @return false if the message needs a pool buffer and none is free
     */
    boolean load(MemorySegment source, long at, int messageLength, BufferPool buffers) {
        MemorySegment target = inline;
        if (messageLength > INLINE_BYTES) {
            large = messageLength <= buffers.bufferSize() ? buffers.take() : null;
            if (large == null) {
                return false;
            }
            target = large.segment();
        }
        MemorySegment.copy(source, at, target, 0, messageLength);
        length = messageLength;
        return true;
    }

    /**
     * The data bytes a request moves, for the scheduler and the bandwidth cap: a WRITE its
     * message, a READ its length if it may be executed (at most {@code maxIoBytes}; a larger one
     * is refused and moves nothing), a WRITE_ZEROES with NO_HOLE the zeros it writes; nothing for
     * the others (TRIM, WRITE_ZEROES leaving a hole, FLUSH and management change metadata only).
     *
     * @param block a flyweight to read the request with
     */
    static long dataBytes(MessageType type, MemorySegment message, long at, int length, BlockRequest block,
            int maxIoBytes) {
        if (type == MessageType.WRITE) {
            return length;
        }
        if (type != MessageType.READ && type != MessageType.WRITE_ZEROES) {
            return 0;
        }
        try {
            block.wrap(message, at, length);
        } catch (MalformedMessageException e) {
            return 0;
        }
        if (type == MessageType.READ) {
            return block.length() <= maxIoBytes ? block.length() : 0;
        }
        return (block.flags() & RangeRequest.FLAG_NO_HOLE) != 0 ? block.length() : 0;
    }

    /** Sets what the scheduler and the metrics need. */
    void start(long id, MessageType messageType, long now, long data) {
        requestId = id;
        type = messageType;
        arrivedNanos = now;
        dataBytes = data;
        cost = Math.max(MIN_COST, data);
    }

    /** The message, from offset 0. */
    MemorySegment message() {
        return large != null ? large.segment() : inline;
    }

    /** The message length. */
    int length() {
        return length;
    }

    /** Gives a borrowed buffer back; the job is free again. */
    void clear(BufferPool buffers) {
        if (large != null) {
            buffers.give(large);
            large = null;
        }
        length = 0;
    }
}

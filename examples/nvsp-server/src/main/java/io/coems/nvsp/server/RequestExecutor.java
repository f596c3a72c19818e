package io.coems.nvsp.server;

import io.coems.nvsp.ChecksumMismatchException;
import io.coems.nvsp.MalformedMessageException;
import io.coems.nvsp.Status;
import io.coems.nvsp.frame.FrameHeader;
import io.coems.nvsp.message.BlockRequest;
import io.coems.nvsp.message.BlockStatusResponse;
import io.coems.nvsp.message.ManagementRequest;
import io.coems.nvsp.message.ManagementResponse;
import io.coems.nvsp.message.MessageType;
import io.coems.nvsp.message.RangeRequest;
import io.coems.nvsp.message.ReadResponse;
import io.coems.nvsp.message.StatusResponse;
import io.coems.nvsp.message.WriteRequest;
import io.coems.vvm.Extent;
import io.coems.vvm.MappedRun;
import io.coems.vvm.PoolArgumentException;
import io.coems.vvm.PoolClosedException;
import io.coems.vvm.PoolException;
import io.coems.vvm.PoolLeaseException;
import io.coems.vvm.PoolNoSpaceException;
import io.coems.vvm.PoolNotFoundException;
import io.coems.vvm.PoolReadOnlyException;
import io.coems.vvm.Volume;
import io.coems.vvm.VolumePool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's execution of requests: validates each against the session's rights and the
 * volume, calls the pool, encodes the response and sends it through the worker's
 * {@link Transmitter}. A READ is read straight into the response (the datagram itself when it
 * fits one, else the worker's large buffer, a heap array which is then kept for NACKs),
 * checksummed in place and, when fragmented, encrypted from there straight into the datagrams
 * (copied into them in INTEGRITY_ONLY). A client reaches only the volumes assigned to it: any
 * other volume id, existing or not, answers EPERM, so a client learns nothing about volumes
 * that are not its own. Pool failures map to the spec's statuses ({@link #status}).
 *
 * <p>Not thread-safe: one per worker thread.
 */
final class RequestExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(RequestExecutor.class);
    /** Zeros written by WRITE_ZEROES with NO_HOLE; only ever read. */
    private static final MemorySegment ZEROS = Arena.global().allocate(64 << 10);
    private static final int EXTENTS_HEADER = 4 + BlockStatusResponse.BLOCK_LENGTH;
    /**
     * The most extents a BLOCK_STATUS_RESPONSE carries: as many as fit the largest message every
     * receiver reassembles (spec 7), 4,159; the client asks again from where they end.
     */
    static final int MAX_EXTENTS = (FrameHeader.MAX_MESSAGE - EXTENTS_HEADER) / BlockStatusResponse.ENTRY_LENGTH;
    private static final int RESULT_HEADER = 4 + ManagementResponse.BLOCK_LENGTH;
    private static final long HOLE = BlockStatusResponse.STATE_HOLE | BlockStatusResponse.STATE_ZERO;

    private final VolumePool pool;
    private final BufferPool buffers;
    private final int maxIoBytes;
    private final Transmitter transmitter;
    private final ManagementHandler management;
    private final BlockRequest block = new BlockRequest();
    private final WriteRequest write = new WriteRequest();
    private final ReadResponse readResponse = new ReadResponse();
    private final StatusResponse statusResponse = new StatusResponse();
    private final BlockStatusResponse extents = new BlockStatusResponse();
    private final ManagementRequest managementRequest = new ManagementRequest();
    private final ManagementResponse managementResponse = new ManagementResponse();
    private BufferPool.Buffer scratch;
    /** The job being executed, until it is given back just before its response goes out. */
    private Job current;

    /**
     * Creates the executor of one worker.
     *
     * @param pool the pool served
     * @param buffers the large buffers; one is taken now as the worker's own
     * @param maxIoBytes the largest READ or WRITE
     * @param transmitter the worker's transmitter
     */
    RequestExecutor(VolumePool pool, BufferPool buffers, int maxIoBytes, Transmitter transmitter) {
        this.pool = pool;
        this.buffers = buffers;
        this.maxIoBytes = maxIoBytes;
        this.transmitter = transmitter;
        this.management = new ManagementHandler(pool);
        this.scratch = buffers.take();
        if (scratch == null) {
            throw new IllegalStateException("no buffer left for a worker");
        }
    }

    /**
     * Executes a request and sends its response; counts it in the client's metrics. The job is
     * given back to its session before the response is sent, so a client that sends its next
     * request as soon as it sees the response finds the credit free.
     */
    void execute(Job job) {
        current = job;
        Session session = job.session;
        MessageType type = job.type;
        long arrivedNanos = job.arrivedNanos;
        long read = 0;
        long written = 0;
        try {
            switch (type) {
                case READ -> read = read(job);
                case WRITE -> written = write(job);
                case FLUSH, TRIM, WRITE_ZEROES -> change(job);
                case BLOCK_STATUS -> blockStatus(job);
                default -> management(job);
            }
        } catch (MalformedMessageException e) {
            session.dropped(Drop.MALFORMED, type + ": " + e.getMessage());
            if (current != null) {
                replyStatus(job, MessageType.ERROR, Status.EINVAL);
            }
        } catch (RuntimeException e) {
            LOG.error("{}: a {} request failed unexpectedly", session, type, e);
            if (current != null) {
                replyStatus(job, MessageType.ERROR, Status.EIO);
            }
        } finally {
            release();
        }
        session.client.executed(System.nanoTime() - arrivedNanos, read, written);
    }

    /** Gives the job being executed back to its session (once); its fields are not read after. */
    private void release() {
        if (current != null) {
            current.session.releaseJob(current, buffers);
            current = null;
        }
    }

    /**
     * Answers the client's CLOSE of a session once its last running request is answered: the
     * CLOSE_RESPONSE follows every response of the session.
     */
    void answerClose(Session session) {
        statusResponse.encode(transmitter.segment(), Transmitter.PAYLOAD, session.payloadRoom(),
                MessageType.CLOSE_RESPONSE).status(Status.OK);
        transmitter.sendSingle(session, session.closeRequestId(), statusResponse.encodedLength());
    }

    private long read(Job job) {
        Session session = job.session;
        block.wrap(job.message(), 0, job.length());
        Volume volume = assigned(session, block.volumeId());
        Status refusal = volume == null ? Status.EPERM : check(block, 0, volume);
        if (refusal != Status.OK) {
            replyRead(job, refusal);
            return 0;
        }
        int length = (int) block.length();
        int messageLength = 4 + ReadResponse.BLOCK_LENGTH + length;
        boolean single = messageLength <= session.payloadRoom();
        MemorySegment target = single ? transmitter.segment() : scratch.segment();
        long at = single ? Transmitter.PAYLOAD : 0;
        readResponse.encode(target, at, messageLength, MessageType.READ_RESPONSE).status(Status.OK);
        try {
            if (length > 0) {
                volume.read(block.volumeOffset(), target.asSlice(readResponse.data().dataOffset(), length));
            }
        } catch (PoolException e) {
            replyRead(job, status(e));
            return 0;
        }
        readResponse.data().putInPlace(length);
        long requestId = job.requestId;
        session.cache.forget(requestId);
        release();
        if (single) {
            transmitter.sendSingle(session, requestId, messageLength);
        } else {
            BufferPool.Buffer response = scratch;
            scratch = buffers.keep(response, session, requestId, messageLength);
            try {
                transmitter.send(session, requestId, response.array(), messageLength);
            } finally {
                if (scratch != response) {
                    buffers.unpin(response);
                }
            }
        }
        return length;
    }

    private long write(Job job) {
        write.wrap(job.message(), 0, job.length());
        Volume volume = assigned(job.session, write.volumeId());
        Status refusal = volume == null ? Status.EPERM : check(write, RangeRequest.FLAG_FUA, volume);
        if (refusal != Status.OK) {
            replyStatus(job, MessageType.WRITE_RESPONSE, refusal);
            return 0;
        }
        try {
            write.data().verify();
        } catch (ChecksumMismatchException e) {
            LOG.debug("{}: WRITE {}: {}", job.session, Long.toUnsignedString(job.requestId), e.getMessage());
            replyStatus(job, MessageType.WRITE_RESPONSE, Status.EIO);
            return 0;
        }
        long length = write.length();
        Status status = Status.OK;
        try {
            volume.write(write.volumeOffset(), job.message().asSlice(write.data().dataOffset(), length));
            if ((write.flags() & RangeRequest.FLAG_FUA) != 0) {
                volume.flush();
            }
        } catch (PoolException e) {
            status = status(e);
        }
        replyStatus(job, MessageType.WRITE_RESPONSE, status);
        return status == Status.OK ? length : 0;
    }

    /** FLUSH, TRIM and WRITE_ZEROES: no data either way. */
    private void change(Job job) {
        MessageType responseType = responseOf(job.type);
        block.wrap(job.message(), 0, job.length());
        Volume volume = assigned(job.session, block.volumeId());
        long allowed = switch (job.type) {
            case TRIM -> RangeRequest.FLAG_FUA;
            case WRITE_ZEROES -> RangeRequest.FLAG_FUA | RangeRequest.FLAG_NO_HOLE;
            default -> 0;
        };
        Status refusal = volume == null ? Status.EPERM : check(block, allowed, volume);
        if (refusal != Status.OK) {
            replyStatus(job, responseType, refusal);
            return;
        }
        Status status = Status.OK;
        try {
            long offset = block.volumeOffset();
            long length = block.length();
            if (job.type == MessageType.TRIM) {
                volume.discard(offset, length);
            } else if (job.type == MessageType.WRITE_ZEROES && (block.flags() & RangeRequest.FLAG_NO_HOLE) != 0) {
                for (long done = 0; done < length; done += Math.min(ZEROS.byteSize(), length - done)) {
                    volume.write(offset + done, ZEROS.asSlice(0, Math.min(ZEROS.byteSize(), length - done)));
                }
            } else if (job.type == MessageType.WRITE_ZEROES) {
                volume.writeZeroes(offset, length);
            }
            if (job.type == MessageType.FLUSH || (block.flags() & RangeRequest.FLAG_FUA) != 0) {
                volume.flush();
            }
        } catch (PoolException e) {
            status = status(e);
        }
        replyStatus(job, responseType, status);
    }

    private void blockStatus(Job job) {
        Session session = job.session;
        block.wrap(job.message(), 0, job.length());
        Volume volume = assigned(session, block.volumeId());
        Status refusal = volume == null ? Status.EPERM : check(block, 0, volume);
        if (refusal == Status.OK && block.length() == 0) {
            refusal = Status.EINVAL;
        }
        List<Extent> mapped;
        try {
            mapped = refusal == Status.OK ? volume.mapped() : List.of();
        } catch (PoolException e) {
            mapped = List.of();
            refusal = status(e);
        }
        extents.encode(scratch.segment(), 0, buffers.bufferSize(), MessageType.BLOCK_STATUS_RESPONSE).status(refusal);
        if (refusal == Status.OK) {
            int max = Math.min(MAX_EXTENTS, (buffers.bufferSize() - EXTENTS_HEADER) / BlockStatusResponse.ENTRY_LENGTH);
            for (MappedRun run : MappedRun.of(mapped, block.volumeOffset(), block.volumeOffset() + block.length(), max)) {
                extents.addExtent(run.offset(), run.length(), run.hole() ? HOLE : 0);
            }
        }
        long requestId = job.requestId;
        session.cache.forget(requestId);
        release();
        transmitter.send(session, requestId, scratch.array(), extents.encodedLength());
    }

    private void management(Job job) {
        Session session = job.session;
        managementRequest.wrap(job.message(), 0, job.length());
        MessageType responseType = responseOf(job.type);
        int room = session.payloadRoom();
        managementResponse.encode(transmitter.segment(), Transmitter.PAYLOAD, room, responseType);
        Status status = management.execute(session, managementRequest, managementResponse,
                (room - RESULT_HEADER) / ManagementResponse.ENTRY_LENGTH);
        if (status != Status.OK) {
            managementResponse.encode(transmitter.segment(), Transmitter.PAYLOAD, room, responseType);
        }
        managementResponse.status(status);
        reply(job, managementResponse.encodedLength());
    }

    /**
     * The volume of a request if it is assigned to the session's client; else null, counted and
     * logged as refused.
     */
    private Volume assigned(Session session, long volumeId) {
        Volume volume = session.lastVolume();
        try {
            if (volume == null || volume.id() != volumeId) {
                volume = pool.volume(volumeId);
            }
            if (volume.client().filter(client -> client == session.client.id()).isPresent()) {
                session.lastVolume(volume);
                return volume;
            }
        } catch (PoolNotFoundException e) {
            // answered like an unassigned volume: a client cannot tell which ids exist
        }
        session.dropped(Drop.REFUSED, "volume " + Long.toUnsignedString(volumeId) + " is not assigned to the client");
        return null;
    }

    /**
     * EINVAL for flags beyond {@code allowed} or a READ beyond the largest, EOVERFLOW for a range
     * past the end of the volume (FLUSH has no range), else OK.
     */
    private Status check(RangeRequest<?> request, long allowed, Volume volume) {
        if ((request.flags() & ~allowed) != 0 || request.type() == MessageType.READ && request.length() > maxIoBytes) {
            return Status.EINVAL;
        }
        if (request.type() == MessageType.FLUSH) {
            return Status.OK;
        }
        long size;
        try {
            size = volume.size();
        } catch (PoolException e) {
            return status(e);
        }
        long offset = request.volumeOffset();
        boolean inside = Long.compareUnsigned(offset, size) <= 0 && request.length() <= size - offset;
        return inside ? Status.OK : Status.EOVERFLOW;
    }

    private void replyRead(Job job, Status status) {
        readResponse.encode(transmitter.segment(), Transmitter.PAYLOAD, job.session.payloadRoom(),
                MessageType.READ_RESPONSE).status(status);
        reply(job, readResponse.encodedLength());
    }

    private void replyStatus(Job job, MessageType type, Status status) {
        statusResponse.encode(transmitter.segment(), Transmitter.PAYLOAD, job.session.payloadRoom(), type).status(status);
        reply(job, statusResponse.encodedLength());
    }

    /**
     * Sends the response encoded in the transmitter's datagram, kept in the duplicate cache
     * first unless the request is idempotent (then a copy of the request runs again).
     */
    private void reply(Job job, int length) {
        Session session = job.session;
        long requestId = job.requestId;
        if (isIdempotent(job.type)) {
            session.cache.forget(requestId);
        } else {
            session.cache.answered(requestId, transmitter.segment(), Transmitter.PAYLOAD, length);
        }
        release();
        transmitter.sendSingle(session, requestId, length);
    }

    /** Whether a copy of a request of this type may simply run again. */
    static boolean isIdempotent(MessageType type) {
        return switch (type) {
            case READ, BLOCK_STATUS, LIST_VOLUMES, LIST_HISTORY, LIST_CLIENTS -> true;
            default -> false;
        };
    }

    /** The response type of a request type: its code with bit 15 set. */
    static MessageType responseOf(MessageType request) {
        return MessageType.of(request.code() | 0x8000);
    }

    /** The status that answers a refused pool operation. */
    static Status status(PoolException e) {
        return switch (e) {
            case PoolReadOnlyException x -> Status.EPERM;
            case PoolNoSpaceException x -> Status.ENOSPC;
            case PoolArgumentException x -> Status.EINVAL;
            case PoolNotFoundException x -> Status.NO_SUCH_VOLUME;
            case PoolLeaseException x -> Status.STALE_FENCING_TOKEN;
            case PoolClosedException x -> Status.ESHUTDOWN;
            default -> Status.EIO;
        };
    }
}

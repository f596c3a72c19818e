package io.coems.nbd;

import io.coems.vvm.MappedRun;
import io.coems.vvm.PoolArgumentException;
import io.coems.vvm.PoolClosedException;
import io.coems.vvm.PoolException;
import io.coems.vvm.PoolNoSpaceException;
import io.coems.vvm.PoolReadOnlyException;
import io.coems.vvm.Volume;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The transmission phase of one connection, with several requests in flight. The connection's
 * thread reads each request (and a WRITE's payload, into a buffer of its own) and hands it to
 * the server's request executor, then reads the next; each request is executed on its own
 * thread, and its reply queued and written whole by whichever thread holds the output (see
 * {@link ReplySender}; the reader tells it when it may wait, so that replies are flushed before
 * it does). Replies may so leave in another order than the requests came (NBD matches them by
 * cookie). At most {@code maxInFlight} requests are in flight, from being read until their
 * reply is written: the next one is not read before one of them is answered, which holds the
 * client back through TCP.
 *
 * <p>Semantics kept from serving one request at a time:
 * <ul>
 *   <li>FLUSH makes durable every write that was answered before the FLUSH was read, as NBD
 *       requires: a write is answered only after {@code Volume.write} returned, and the pool's
 *       flush covers every write that returned. Writes still in flight when the FLUSH is read
 *       may or may not be covered; NBD leaves them to a later FLUSH.</li>
 *   <li>FUA flushes after the request's own write, before its reply.</li>
 *   <li>DISC, the end of the stream and a broken stream wait for the requests in flight; DISC
 *       and the end of the stream let them be answered first.</li>
 *   <li>An error is answered as such and the connection goes on; only a broken framing ends it.</li>
 * </ul>
 * A WRITE longer than {@link RequestBuffers#MAX_BYTES} is not buffered whole: the connection's
 * thread streams it into the volume in pieces itself, then answers it (still counted in flight).
 */
final class Transmission {
    private static final Logger LOG = LoggerFactory.getLogger(Transmission.class);

    /** The length of a request's header. */
    private static final int REQUEST_BYTES = 28;
    /** The piece READ data moves in; also the longest READ with DF (one chunk). */
    private static final int PIECE = RequestBuffers.MAX_BYTES;
    /** Zeros for WRITE_ZEROES with NO_HOLE; only ever read. */
    private static final byte[] ZEROS = new byte[PIECE];
    /** Most descriptors in one BLOCK_STATUS reply (the client asks again for the rest). */
    private static final int MAX_DESCRIPTORS = 64 << 10;

    private final NbdServer server;
    private final NbdConnection connection;
    private final NbdExport export;
    private final long size;
    private final boolean structured;
    private final boolean allocation;
    private final DataInputStream in;
    private final ReplySender replies;
    private final Executor executor;
    private final int maxInFlight;
    private final Semaphore inFlight;
    private final RequestBuffers buffers;

    /**
     * The requests of {@code connection} to {@code export}, read from {@code in} and answered on
     * {@code out}; {@code structured} if structured replies were negotiated, {@code allocation}
     * if base:allocation was selected for this export.
     */
    Transmission(NbdServer server, NbdConnection connection, NbdExport export, boolean structured, boolean allocation,
                 DataInputStream in, DataOutputStream out) {
        this.server = server;
        this.connection = connection;
        this.export = export;
        this.size = export.image().size();
        this.structured = structured;
        this.allocation = allocation;
        this.in = in;
        this.replies = new ReplySender(out);
        this.executor = server.requestExecutor();
        this.maxInFlight = server.maxRequestsInFlight();
        this.inFlight = new Semaphore(maxInFlight);
        this.buffers = new RequestBuffers(maxInFlight);
    }

    /**
     * Serves requests until DISC or the end of the stream, then returns once every request read
     * has been answered.
     *
     * @throws IOException if the stream breaks or the client breaks the framing; the socket is
     *                     closed first, so that requests in flight end quickly
     */
    void run() throws IOException {
        try {
            while (next()) {
                // one request per turn
            }
            replies.readerIdle();
        } catch (IOException | RuntimeException e) {
            connection.closeSocket();
            throw e;
        } finally {
            inFlight.acquireUninterruptibly(maxInFlight); // every request answered or failed
        }
        replies.readerIdle(); // the last replies out, once whoever wrote them has flushed
    }

    /** Reads one request and starts it; false once the client disconnected. */
    private boolean next() throws IOException {
        if (!inFlight.tryAcquire()) {
            replies.readerIdle();
            inFlight.acquireUninterruptibly();
        }
        Request request = null;
        boolean started = false;
        try {
            boolean busy = in.available() >= REQUEST_BYTES;
            if (busy) {
                replies.readerBusy();
            } else {
                replies.readerIdle();
            }
            int magic;
            try {
                magic = in.readInt();
            } catch (EOFException e) {
                return false;
            }
            if (magic != Nbd.REQUEST_MAGIC) {
                throw new ProtocolViolation("request magic 0x" + Integer.toHexString(magic) + " is wrong");
            }
            int flags = in.readUnsignedShort();
            int type = in.readUnsignedShort();
            long cookie = in.readLong();
            long offset = in.readLong();
            long length = Integer.toUnsignedLong(in.readInt());
            request = new Request(flags, type, cookie, offset, length);
            switch (type) {
                case Nbd.CMD_DISC -> {
                    return false;
                }
                case Nbd.CMD_WRITE -> {
                    if (busy && in.available() < length) {
                        replies.readerIdle(); // the payload is not all there yet
                    }
                    byte[] payload = receiveWrite(request);
                    if (payload != null) {
                        Request r = request;
                        start(r, () -> {
                            try {
                                write(r, payload);
                            } finally {
                                buffers.give(payload);
                            }
                        });
                        started = true;
                    }
                }
                default -> {
                    Request r = request;
                    start(r, () -> execute(r));
                    started = true;
                }
            }
            return true;
        } finally {
            if (request == null) {
                inFlight.release();
            } else if (!started) {
                request.land(); // answered here (its reply holds no buffer), or never
            }
        }
    }

    /**
     * A request in flight: the header's fields, and the buffer its reply holds until written.
     * It lands (the buffer is given back, its place in flight freed) once, when its reply is
     * written or the connection fails.
     */
    private final class Request {
        final int flags;
        final int type;
        final long cookie;
        final long offset;
        final long length;
        private volatile byte[] buffer;
        private final AtomicBoolean landed = new AtomicBoolean();

        Request(int flags, int type, long cookie, long offset, long length) {
            this.flags = flags;
            this.type = type;
            this.cookie = cookie;
            this.offset = offset;
            this.length = length;
        }

        /** {@code piece} goes back to the pool when the request lands. */
        void hold(byte[] piece) {
            buffer = piece;
        }

        void land() {
            if (landed.compareAndSet(false, true)) {
                byte[] piece = buffer;
                if (piece != null) {
                    buffers.give(piece);
                }
                inFlight.release();
            }
        }
    }

    /** The work of one request, run on the executor. */
    private interface Work {
        void run() throws IOException;
    }

    /**
     * Runs {@code work} on the executor; the request lands when its reply is written, or when
     * {@code work} fails.
     */
    private void start(Request r, Work work) {
        executor.execute(() -> {
            try {
                work.run();
            } catch (IOException | RuntimeException e) {
                switch (e) {
                    case ProtocolViolation v -> LOG.warn("connection {} dropped: {}", connection.id(), v.getMessage());
                    case SocketException x -> LOG.debug("connection {}: a reply could not be sent: {}", connection.id(), x.toString());
                    default -> LOG.warn("connection {}: a request failed", connection.id(), e);
                }
                connection.closeSocket();
                r.land();
            }
        });
    }

    /** Executes and answers a request other than WRITE and DISC. */
    private void execute(Request r) throws IOException {
        try {
            switch (r.type) {
                case Nbd.CMD_READ -> read(r);
                case Nbd.CMD_FLUSH -> simple(r, 0, false, () -> server.pool().flush());
                case Nbd.CMD_TRIM -> simple(r, Nbd.CMD_FLAG_FUA, true, () -> volume().discard(r.offset, r.length));
                case Nbd.CMD_WRITE_ZEROES -> simple(r, Nbd.CMD_FLAG_FUA | Nbd.CMD_FLAG_NO_HOLE, true,
                        () -> writeZeroes(volume(), r.offset, r.length, (r.flags & Nbd.CMD_FLAG_NO_HOLE) != 0));
                case Nbd.CMD_CACHE -> simple(r, 0, false, () -> {
                    // advisory: the pool caches metadata itself and the data comes from its files
                });
                case Nbd.CMD_BLOCK_STATUS -> blockStatus(r);
                default -> reply(r, Nbd.EINVAL, "unknown command " + r.type);
            }
        } catch (PoolException e) {
            reply(r, errno(e), e.getMessage());
        }
    }

    /** The error of a request the server will not try, or null; {@code allowed} are its valid flags. */
    private Refusal refusal(Request r, int allowed, boolean writes) {
        if ((r.flags & ~allowed) != 0) {
            return new Refusal(Nbd.EINVAL, "flags 0x" + Integer.toHexString(r.flags) + " are not valid for command " + r.type);
        }
        if (writes && !export.writable()) {
            return new Refusal(Nbd.EPERM, "the export \"" + export.name() + "\" is read-only");
        }
        if (r.offset < 0 || r.length > size || r.offset > size - r.length) {
            return new Refusal(writes ? Nbd.ENOSPC : Nbd.EINVAL, "the range of " + r.length + " bytes at "
                    + Long.toUnsignedString(r.offset) + " is not inside the export's " + size + " bytes");
        }
        return null;
    }

    private record Refusal(int error, String message) {
    }

    private interface Action {
        void run();
    }

    /** A command with no data either way: checked, run, flushed if FUA, answered. */
    private void simple(Request r, int allowed, boolean writes, Action action) throws IOException {
        Refusal refusal = r.type == Nbd.CMD_FLUSH
                ? ((r.flags & ~allowed) != 0 ? new Refusal(Nbd.EINVAL, "FLUSH takes no flags") : null)
                : refusal(r, allowed, writes);
        if (refusal != null) {
            reply(r, refusal.error, refusal.message);
            return;
        }
        if (r.length > 0 || r.type == Nbd.CMD_FLUSH) {
            action.run();
        }
        if ((r.flags & Nbd.CMD_FLAG_FUA) != 0) {
            server.pool().flush();
        }
        reply(r, 0, null);
    }

    private Volume volume() {
        if (export.image() instanceof Volume volume) {
            return volume;
        }
        throw new PoolReadOnlyException("snapshots are read-only");
    }

    private static void writeZeroes(Volume volume, long offset, long length, boolean noHole) {
        if (!noHole) {
            volume.writeZeroes(offset, length);
            return;
        }
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(ZEROS.length, length - done);
            volume.write(offset + done, ZEROS, 0, n);
            done += n;
        }
    }

    private void read(Request r) throws IOException {
        Refusal refusal = r.length > server.maxRequestBytes()
                ? new Refusal(Nbd.EOVERFLOW, "a READ of " + r.length + " bytes is over the limit of " + server.maxRequestBytes())
                : refusal(r, structured ? Nbd.CMD_FLAG_DF : 0, false);
        if (refusal == null && (r.flags & Nbd.CMD_FLAG_DF) != 0 && r.length > PIECE) {
            refusal = new Refusal(Nbd.EOVERFLOW, "an unfragmented READ of " + r.length + " bytes is over " + PIECE);
        }
        if (refusal != null) {
            reply(r, refusal.error, refusal.message);
            return;
        }
        if (r.length == 0) {
            reply(r, 0, null);
            return;
        }
        byte[] piece = buffers.take(r.length);
        r.hold(piece);
        // The first piece is read before the reply is queued, so that its error can still be
        // answered as one and the writer does not read it.
        int first = (int) Math.min(piece.length, r.length);
        export.image().read(r.offset, piece, 0, first);
        replies.send(out -> {
            if (structured) {
                sendChunks(out, r, piece, first);
            } else {
                sendSimple(out, r, piece, first);
            }
        }, r::land);
    }

    /** A simple READ reply whose first piece is in {@code piece}; the rest is read meanwhile. */
    private void sendSimple(DataOutputStream out, Request r, byte[] piece, int first) throws IOException {
        out.writeInt(Nbd.SIMPLE_REPLY_MAGIC);
        out.writeInt(0);
        out.writeLong(r.cookie);
        out.write(piece, 0, first);
        for (long done = first; done < r.length; ) {
            int n = (int) Math.min(piece.length, r.length - done);
            try {
                export.image().read(r.offset + done, piece, 0, n);
            } catch (PoolException e) {
                throw new ProtocolViolation("a READ failed after its reply header was sent: " + e.getMessage());
            }
            out.write(piece, 0, n);
            done += n;
        }
    }

    /** The OFFSET_DATA chunks of a structured READ whose first piece is in {@code piece}; an error ends them. */
    private void sendChunks(DataOutputStream out, Request r, byte[] piece, int first) throws IOException {
        int n = first;
        for (long done = 0; ; ) {
            done += n;
            // the last piece ends the reply (DONE may be set on any chunk): no extra NONE chunk
            chunkHeader(out, r.cookie, done == r.length ? Nbd.REPLY_FLAG_DONE : 0, Nbd.REPLY_TYPE_OFFSET_DATA, 8 + n);
            out.writeLong(r.offset + done - n);
            out.write(piece, 0, n);
            if (done == r.length) {
                return;
            }
            n = (int) Math.min(piece.length, r.length - done);
            try {
                export.image().read(r.offset + done, piece, 0, n);
            } catch (PoolException e) {
                writeReply(out, r, errno(e), e.getMessage());
                return;
            }
        }
    }

    /**
     * Reads a WRITE's payload: into a buffer of its own, returned for the executor to write,
     * unless the WRITE is refused (the payload skipped) or longer than a buffer (streamed into
     * the volume here); both of those are answered here, and null returned.
     */
    private byte[] receiveWrite(Request r) throws IOException {
        Refusal refusal = refusal(r, Nbd.CMD_FLAG_FUA, true);
        if (r.length > server.maxRequestBytes()) {
            refusal = new Refusal(Nbd.EOVERFLOW, "a WRITE of " + r.length + " bytes is over the limit of " + server.maxRequestBytes());
        }
        if (refusal != null) {
            in.skipNBytes(r.length); // the data still follows; skipping keeps the stream in step
            reply(r, refusal.error, refusal.message);
            return null;
        }
        byte[] payload = buffers.take(r.length);
        if (r.length <= payload.length) {
            in.readFully(payload, 0, (int) r.length);
            return payload;
        }
        try {
            writeStreamed(r, payload);
        } finally {
            buffers.give(payload);
        }
        return null;
    }

    /** A WRITE longer than {@code piece}, received and written piece by piece, then answered. */
    private void writeStreamed(Request r, byte[] piece) throws IOException {
        PoolException failure = null;
        for (long done = 0; done < r.length; ) {
            int n = (int) Math.min(piece.length, r.length - done);
            in.readFully(piece, 0, n);
            if (failure == null) {
                try {
                    volume().write(r.offset + done, piece, 0, n);
                } catch (PoolException e) {
                    failure = e;
                }
            }
            done += n;
        }
        if (failure != null) {
            reply(r, errno(failure), failure.getMessage());
            return;
        }
        finishWrite(r);
    }

    /** Writes a received WRITE's payload, then answers it. */
    private void write(Request r, byte[] payload) throws IOException {
        try {
            if (r.length > 0) {
                volume().write(r.offset, payload, 0, (int) r.length);
            }
        } catch (PoolException e) {
            reply(r, errno(e), e.getMessage());
            return;
        }
        finishWrite(r);
    }

    /** Flushes a written WRITE with FUA, then answers it. */
    private void finishWrite(Request r) throws IOException {
        try {
            if ((r.flags & Nbd.CMD_FLAG_FUA) != 0) {
                server.pool().flush();
            }
        } catch (PoolException e) {
            reply(r, errno(e), e.getMessage());
            return;
        }
        reply(r, 0, null);
    }

    private void blockStatus(Request r) throws IOException {
        Refusal refusal = refusal(r, Nbd.CMD_FLAG_REQ_ONE, false);
        if (refusal == null && (!structured || !allocation)) {
            refusal = new Refusal(Nbd.EINVAL, "BLOCK_STATUS needs the base:allocation context selected");
        }
        if (refusal == null && r.length == 0) {
            refusal = new Refusal(Nbd.EINVAL, "BLOCK_STATUS of 0 bytes");
        }
        if (refusal != null) {
            reply(r, refusal.error, refusal.message);
            return;
        }
        // A request covers at most 2^32 - 1 bytes, so every run's length fits the descriptor's 32 bits.
        List<MappedRun> runs = MappedRun.of(export.image().mapped(), r.offset, r.offset + r.length,
                (r.flags & Nbd.CMD_FLAG_REQ_ONE) != 0 ? 1 : MAX_DESCRIPTORS);
        replies.send(out -> {
            chunkHeader(out, r.cookie, Nbd.REPLY_FLAG_DONE, Nbd.REPLY_TYPE_BLOCK_STATUS, 4 + 8 * runs.size());
            out.writeInt(Nbd.ALLOCATION_CONTEXT_ID);
            for (MappedRun run : runs) {
                out.writeInt((int) run.length());
                out.writeInt(run.hole() ? Nbd.STATE_HOLE | Nbd.STATE_ZERO : 0);
            }
        }, r::land);
    }

    private static void chunkHeader(DataOutputStream out, long cookie, int flags, int type, int length) throws IOException {
        out.writeInt(Nbd.STRUCTURED_REPLY_MAGIC);
        out.writeShort(flags);
        out.writeShort(type);
        out.writeLong(cookie);
        out.writeInt(length);
    }

    /** Sends the final reply of a request: success ({@code error} 0) or an error with a message. */
    private void reply(Request r, int error, String message) throws IOException {
        replies.send(out -> writeReply(out, r, error, message), r::land);
    }

    /** Writes the final reply of a request (the caller holds the output). */
    private void writeReply(DataOutputStream out, Request r, int error, String message) throws IOException {
        if (error != 0) {
            LOG.debug("connection {}: command {} at {} of {} bytes: error {}: {}", connection.id(), r.type, r.offset, r.length,
                    error, message);
        }
        if (!structured) {
            out.writeInt(Nbd.SIMPLE_REPLY_MAGIC);
            out.writeInt(error);
            out.writeLong(r.cookie);
        } else if (error == 0) {
            chunkHeader(out, r.cookie, Nbd.REPLY_FLAG_DONE, Nbd.REPLY_TYPE_NONE, 0);
        } else {
            byte[] text = Nbd.message(message);
            chunkHeader(out, r.cookie, Nbd.REPLY_FLAG_DONE, Nbd.REPLY_TYPE_ERROR, 6 + text.length);
            out.writeInt(error);
            out.writeShort(text.length);
            out.write(text);
        }
    }

    /** The NBD error number of a refused pool operation. */
    static int errno(PoolException e) {
        return switch (e) {
            case PoolReadOnlyException x -> Nbd.EPERM;
            case PoolNoSpaceException x -> Nbd.ENOSPC;
            case PoolArgumentException x -> Nbd.EINVAL;
            case PoolClosedException x -> Nbd.ESHUTDOWN;
            default -> Nbd.EIO;
        };
    }
}

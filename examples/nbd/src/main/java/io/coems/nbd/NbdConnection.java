package io.coems.nbd;

import io.coems.vvm.Extent;
import io.coems.vvm.PoolArgumentException;
import io.coems.vvm.PoolClosedException;
import io.coems.vvm.PoolException;
import io.coems.vvm.PoolNoSpaceException;
import io.coems.vvm.PoolReadOnlyException;
import io.coems.vvm.Volume;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One client's connection: the fixed newstyle handshake, then its requests one at a time, each
 * answered (layouts in {@link Nbd}). A request the server cannot serve is answered with an NBD
 * error and the connection stays usable; only a broken framing (bad magic, the socket closed, an
 * unknown export after EXPORT_NAME) ends it. Memory is bounded: option data up to 64 KiB, and one
 * buffer of at most 1 MiB through which READ and WRITE data streams in pieces.
 */
final class NbdConnection implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(NbdConnection.class);

    /** The piece READ and WRITE data moves in. */
    private static final int PIECE = 1 << 20;
    /** Zeros for WRITE_ZEROES with NO_HOLE; only ever read. */
    private static final byte[] ZEROS = new byte[PIECE];
    /** Most descriptors in one BLOCK_STATUS reply (the client asks again for the rest). */
    private static final int MAX_DESCRIPTORS = 64 << 10;
    /** Longest error message sent. */
    private static final int MAX_MESSAGE_BYTES = 1024;

    private final NbdServer server;
    private final Socket socket;
    private final long id;
    private DataInputStream in;
    private DataOutputStream out;
    private volatile Thread thread;

    private boolean noZeroes;
    private boolean structured;
    /** The export base:allocation was selected for, null if none. */
    private String allocationExport;
    private byte[] buffer;

    NbdConnection(NbdServer server, Socket socket, long id) {
        this.server = server;
        this.socket = socket;
        this.id = id;
    }

    void start() {
        thread = Thread.ofVirtual().name("nbd-connection-" + id).start(this);
    }

    Thread thread() {
        return thread;
    }

    /** Makes the next read of a request see the end of the stream; the request in progress is finished. */
    void stopReading() {
        try {
            socket.shutdownInput();
        } catch (IOException e) {
            LOG.debug("connection {}: shutting down input", id, e);
        }
    }

    void closeSocket() {
        NbdServer.closeQuietly(socket);
    }

    @Override
    public void run() {
        String peer = String.valueOf(socket.getRemoteSocketAddress());
        LOG.debug("connection {} from {}", id, peer);
        try (socket) {
            socket.setTcpNoDelay(true);
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 << 10));
            out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 << 10));
            NbdExport export = handshake();
            if (export != null) {
                LOG.debug("connection {} from {} serves {}", id, peer, export.name());
                long size = export.image().size();
                while (serve(export, size)) {
                    // one request per turn
                }
                out.flush(); // replies held back while more requests were waiting
            }
        } catch (Violation e) {
            LOG.warn("connection {} from {} dropped: {}", id, peer, e.getMessage());
        } catch (EOFException | SocketException e) {
            LOG.debug("connection {} from {} ended: {}", id, peer, e.toString());
        } catch (IOException | RuntimeException e) {
            LOG.warn("connection {} from {} failed", id, peer, e);
        } finally {
            server.finished(this);
            LOG.debug("connection {} from {} closed", id, peer);
        }
    }

    // ------------------------------------------------------------------ handshake

    /** Negotiates; returns the export to serve, or null if the client aborted. */
    private NbdExport handshake() throws IOException {
        out.writeLong(Nbd.NBDMAGIC);
        out.writeLong(Nbd.IHAVEOPT);
        out.writeShort(Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES);
        out.flush();
        int clientFlags = in.readInt();
        if ((clientFlags & ~(Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES)) != 0) {
            throw new Violation("unknown client flags 0x" + Integer.toHexString(clientFlags));
        }
        noZeroes = (clientFlags & Nbd.FLAG_NO_ZEROES) != 0;
        while (true) {
            long magic = in.readLong();
            if (magic != Nbd.IHAVEOPT) {
                throw new Violation("option magic 0x" + Long.toHexString(magic) + " is not IHAVEOPT");
            }
            int option = in.readInt();
            long length = Integer.toUnsignedLong(in.readInt());
            if (length > Nbd.MAX_OPTION_BYTES) {
                if (option == Nbd.OPT_EXPORT_NAME) {
                    throw new Violation("EXPORT_NAME of " + length + " bytes");
                }
                in.skipNBytes(length);
                optionError(option, Nbd.REP_ERR_TOO_BIG, "option data of " + length + " bytes is over the limit of "
                        + Nbd.MAX_OPTION_BYTES);
                continue;
            }
            byte[] data = in.readNBytes((int) length);
            if (data.length != length) {
                throw new EOFException("the option data ends early");
            }
            NbdExport chosen;
            try {
                chosen = option(option, ByteBuffer.wrap(data));
            } catch (BufferUnderflowException | IllegalArgumentException e) {
                optionError(option, Nbd.REP_ERR_INVALID, "malformed option data");
                continue;
            }
            if (chosen == ABORTED) {
                return null;
            }
            if (chosen != null) {
                return chosen;
            }
        }
    }

    private static final NbdExport ABORTED = new NbdExport("", null, false);

    /** Answers one option; returns the export once transmission starts, ABORTED, or null to go on. */
    private NbdExport option(int option, ByteBuffer data) throws IOException {
        switch (option) {
            case Nbd.OPT_EXPORT_NAME -> {
                String name = utf8(data, data.remaining());
                NbdExport export = NbdExport.find(server.pool(), name)
                        .orElseThrow(() -> new Violation("EXPORT_NAME of the unknown export \"" + name + "\""));
                out.writeLong(export.image().size());
                out.writeShort(export.transmissionFlags(structured));
                if (!noZeroes) {
                    out.write(new byte[124]);
                }
                out.flush();
                return selected(export);
            }
            case Nbd.OPT_ABORT -> {
                optionReply(option, Nbd.REP_ACK, new byte[0]);
                return ABORTED;
            }
            case Nbd.OPT_LIST -> {
                if (data.hasRemaining()) {
                    optionError(option, Nbd.REP_ERR_INVALID, "LIST takes no data");
                    return null;
                }
                for (NbdExport export : NbdExport.all(server.pool())) {
                    byte[] name = export.name().getBytes(StandardCharsets.UTF_8);
                    optionReply(option, Nbd.REP_SERVER, ByteBuffer.allocate(4 + name.length).putInt(name.length).put(name).array());
                }
                optionReply(option, Nbd.REP_ACK, new byte[0]);
                return null;
            }
            case Nbd.OPT_STARTTLS -> {
                optionError(option, Nbd.REP_ERR_POLICY, "this server does not offer TLS");
                return null;
            }
            case Nbd.OPT_INFO, Nbd.OPT_GO -> {
                return infoOrGo(option, data);
            }
            case Nbd.OPT_STRUCTURED_REPLY -> {
                if (data.hasRemaining()) {
                    optionError(option, Nbd.REP_ERR_INVALID, "STRUCTURED_REPLY takes no data");
                    return null;
                }
                structured = true;
                optionReply(option, Nbd.REP_ACK, new byte[0]);
                return null;
            }
            case Nbd.OPT_LIST_META_CONTEXT, Nbd.OPT_SET_META_CONTEXT -> {
                metaContext(option, data);
                return null;
            }
            default -> {
                optionError(option, Nbd.REP_ERR_UNSUP, "option " + option + " is not supported");
                return null;
            }
        }
    }

    private NbdExport infoOrGo(int option, ByteBuffer data) throws IOException {
        String name = utf8(data, data.getInt());
        int count = Short.toUnsignedInt(data.getShort());
        if (data.remaining() != 2 * count) {
            throw new IllegalArgumentException("information request count mismatch");
        }
        boolean wantName = false;
        boolean wantDescription = false;
        for (int i = 0; i < count; i++) {
            int type = Short.toUnsignedInt(data.getShort());
            wantName |= type == Nbd.INFO_NAME;
            wantDescription |= type == Nbd.INFO_DESCRIPTION;
        }
        var found = NbdExport.find(server.pool(), name);
        if (found.isEmpty()) {
            optionError(option, Nbd.REP_ERR_UNKNOWN, "no export named \"" + name + "\"");
            return null;
        }
        NbdExport export = found.get();
        optionReply(option, Nbd.REP_INFO, ByteBuffer.allocate(12).putShort((short) Nbd.INFO_EXPORT)
                .putLong(export.image().size()).putShort((short) export.transmissionFlags(structured)).array());
        if (wantName) {
            optionReply(option, Nbd.REP_INFO, info(Nbd.INFO_NAME, export.name()));
        }
        if (wantDescription) {
            optionReply(option, Nbd.REP_INFO, info(Nbd.INFO_DESCRIPTION,
                    export.writable() ? "COEMS volume" : "COEMS " + (export.image() instanceof Volume ? "volume" : "snapshot") + ", read-only"));
        }
        // Any byte offset and length works (Volume.read/write do read-modify-write inside the
        // 64 KiB blocks), so the minimum is 1; whole blocks are preferred.
        optionReply(option, Nbd.REP_INFO, ByteBuffer.allocate(14).putShort((short) Nbd.INFO_BLOCK_SIZE)
                .putInt(1).putInt(64 << 10).putInt(server.maxRequestBytes()).array());
        optionReply(option, Nbd.REP_ACK, new byte[0]);
        return option == Nbd.OPT_GO ? selected(export) : null;
    }

    private NbdExport selected(NbdExport export) {
        if (allocationExport != null && !allocationExport.equals(export.name())) {
            allocationExport = null; // contexts were chosen for another export
        }
        return export;
    }

    private void metaContext(int option, ByteBuffer data) throws IOException {
        String name = utf8(data, data.getInt());
        long count = Integer.toUnsignedLong(data.getInt());
        boolean allocation = false;
        if (count == 0) {
            allocation = option == Nbd.OPT_LIST_META_CONTEXT;
        }
        for (long i = 0; i < count; i++) {
            String query = utf8(data, data.getInt());
            allocation |= query.equals(Nbd.BASE_ALLOCATION) || (option == Nbd.OPT_LIST_META_CONTEXT && query.equals("base:"));
        }
        if (data.hasRemaining()) {
            throw new IllegalArgumentException("trailing bytes");
        }
        if (!structured) {
            optionError(option, Nbd.REP_ERR_INVALID, "meta contexts need structured replies first");
            return;
        }
        if (NbdExport.find(server.pool(), name).isEmpty()) {
            optionError(option, Nbd.REP_ERR_UNKNOWN, "no export named \"" + name + "\"");
            return;
        }
        if (option == Nbd.OPT_SET_META_CONTEXT) {
            allocationExport = allocation ? name : null;
        }
        if (allocation) {
            byte[] context = Nbd.BASE_ALLOCATION.getBytes(StandardCharsets.US_ASCII);
            optionReply(option, Nbd.REP_META_CONTEXT,
                    ByteBuffer.allocate(4 + context.length).putInt(Nbd.ALLOCATION_CONTEXT_ID).put(context).array());
        }
        optionReply(option, Nbd.REP_ACK, new byte[0]);
    }

    private static byte[] info(int type, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + bytes.length).putShort((short) type).put(bytes).array();
    }

    private static String utf8(ByteBuffer data, int length) {
        if (length < 0 || length > data.remaining()) {
            throw new IllegalArgumentException("a string runs past the option data");
        }
        byte[] bytes = new byte[length];
        data.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private void optionReply(int option, int type, byte[] data) throws IOException {
        out.writeLong(Nbd.OPTION_REPLY_MAGIC);
        out.writeInt(option);
        out.writeInt(type);
        out.writeInt(data.length);
        out.write(data);
        out.flush();
    }

    private void optionError(int option, int type, String message) throws IOException {
        LOG.debug("connection {}: option {} refused: {}", id, option, message);
        optionReply(option, type, message(message));
    }

    // ------------------------------------------------------------------ transmission

    /** Serves one request; false once the client disconnected. */
    private boolean serve(NbdExport export, long size) throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            return false;
        }
        if (magic != Nbd.REQUEST_MAGIC) {
            throw new Violation("request magic 0x" + Integer.toHexString(magic) + " is wrong");
        }
        int flags = in.readUnsignedShort();
        int type = in.readUnsignedShort();
        long cookie = in.readLong();
        long offset = in.readLong();
        long length = Integer.toUnsignedLong(in.readInt());
        Request request = new Request(export, size, flags, type, cookie, offset, length);
        try {
            switch (type) {
                case Nbd.CMD_DISC -> {
                    return false;
                }
                case Nbd.CMD_READ -> read(request);
                case Nbd.CMD_WRITE -> write(request);
                case Nbd.CMD_FLUSH -> simple(request, 0, false, () -> server.pool().flush());
                case Nbd.CMD_TRIM -> simple(request, Nbd.CMD_FLAG_FUA, true,
                        () -> volume(export).discard(offset, length));
                case Nbd.CMD_WRITE_ZEROES -> simple(request, Nbd.CMD_FLAG_FUA | Nbd.CMD_FLAG_NO_HOLE, true,
                        () -> writeZeroes(volume(export), offset, length, (flags & Nbd.CMD_FLAG_NO_HOLE) != 0));
                case Nbd.CMD_CACHE -> simple(request, 0, false, () -> {
                    // advisory: the pool caches metadata itself and the data comes from its files
                });
                case Nbd.CMD_BLOCK_STATUS -> blockStatus(request);
                default -> reply(request, Nbd.EINVAL, "unknown command " + type);
            }
        } catch (PoolException e) {
            reply(request, errno(e), e.getMessage());
        }
        return true;
    }

    private record Request(NbdExport export, long size, int flags, int type, long cookie, long offset, long length) {
    }

    /** The error of a request the server will not try, or null; {@code allowed} are its valid flags. */
    private Refusal refusal(Request r, int allowed, boolean writes) {
        if ((r.flags & ~allowed) != 0) {
            return new Refusal(Nbd.EINVAL, "flags 0x" + Integer.toHexString(r.flags) + " are not valid for command " + r.type);
        }
        if (writes && !r.export.writable()) {
            return new Refusal(Nbd.EPERM, "the export \"" + r.export.name() + "\" is read-only");
        }
        if (r.offset < 0 || r.length > r.size || r.offset > r.size - r.length) {
            return new Refusal(writes ? Nbd.ENOSPC : Nbd.EINVAL, "the range of " + r.length + " bytes at "
                    + Long.toUnsignedString(r.offset) + " is not inside the export's " + r.size + " bytes");
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

    private static Volume volume(NbdExport export) {
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

    private byte[] buffer() {
        if (buffer == null) {
            buffer = new byte[Math.min(PIECE, server.maxRequestBytes())];
        }
        return buffer;
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
        byte[] piece = buffer();
        if (!structured) {
            // The first piece is read before the header so that its error can still be reported.
            int n = (int) Math.min(piece.length, r.length);
            r.export.image().read(r.offset, piece, 0, n);
            out.writeInt(Nbd.SIMPLE_REPLY_MAGIC);
            out.writeInt(0);
            out.writeLong(r.cookie);
            out.write(piece, 0, n);
            for (long done = n; done < r.length; done += n) {
                n = (int) Math.min(piece.length, r.length - done);
                try {
                    r.export.image().read(r.offset + done, piece, 0, n);
                } catch (PoolException e) {
                    throw new Violation("a READ failed after its reply header was sent: " + e.getMessage());
                }
                out.write(piece, 0, n);
            }
            flushUnlessBusy();
            return;
        }
        for (long done = 0; done < r.length; ) {
            int n = (int) Math.min(piece.length, r.length - done);
            try {
                r.export.image().read(r.offset + done, piece, 0, n);
            } catch (PoolException e) {
                reply(r, errno(e), e.getMessage());
                return;
            }
            done += n;
            // the last piece ends the reply (DONE may be set on any chunk): no extra NONE chunk
            chunkHeader(r.cookie, done == r.length ? Nbd.REPLY_FLAG_DONE : 0, Nbd.REPLY_TYPE_OFFSET_DATA, 8 + n);
            out.writeLong(r.offset + done - n);
            out.write(piece, 0, n);
        }
        flushUnlessBusy();
    }

    private void write(Request r) throws IOException {
        Refusal refusal = refusal(r, Nbd.CMD_FLAG_FUA, true);
        if (r.length > server.maxRequestBytes()) {
            refusal = new Refusal(Nbd.EOVERFLOW, "a WRITE of " + r.length + " bytes is over the limit of " + server.maxRequestBytes());
        }
        if (refusal != null) {
            in.skipNBytes(r.length); // the data still follows; skipping keeps the stream in step
            reply(r, refusal.error, refusal.message);
            return;
        }
        byte[] piece = buffer();
        PoolException failure = null;
        for (long done = 0; done < r.length; ) {
            int n = (int) Math.min(piece.length, r.length - done);
            in.readFully(piece, 0, n);
            if (failure == null) {
                try {
                    volume(r.export).write(r.offset + done, piece, 0, n);
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
        if ((r.flags & Nbd.CMD_FLAG_FUA) != 0) {
            server.pool().flush();
        }
        reply(r, 0, null);
    }

    private void blockStatus(Request r) throws IOException {
        Refusal refusal = refusal(r, Nbd.CMD_FLAG_REQ_ONE, false);
        if (refusal == null && (!structured || !r.export.name().equals(allocationExport))) {
            refusal = new Refusal(Nbd.EINVAL, "BLOCK_STATUS needs the base:allocation context selected");
        }
        if (refusal == null && r.length == 0) {
            refusal = new Refusal(Nbd.EINVAL, "BLOCK_STATUS of 0 bytes");
        }
        if (refusal != null) {
            reply(r, refusal.error, refusal.message);
            return;
        }
        List<long[]> descriptors = allocation(r.export.image().mapped(), r.offset, r.offset + r.length,
                (r.flags & Nbd.CMD_FLAG_REQ_ONE) != 0 ? 1 : MAX_DESCRIPTORS);
        chunkHeader(r.cookie, Nbd.REPLY_FLAG_DONE, Nbd.REPLY_TYPE_BLOCK_STATUS, 4 + 8 * descriptors.size());
        out.writeInt(Nbd.ALLOCATION_CONTEXT_ID);
        for (long[] d : descriptors) {
            out.writeInt((int) d[0]);
            out.writeInt((int) d[1]);
        }
        flushUnlessBusy();
    }

    /**
     * The base:allocation descriptors {length, flags} of [start, end) from the mapped extents:
     * data (0) where mapped, HOLE|ZERO elsewhere, at most {@code max} of them, in order.
     */
    static List<long[]> allocation(List<Extent> mapped, long start, long end, int max) {
        List<long[]> out = new ArrayList<>();
        long pos = start;
        List<Extent> sorted = mapped.stream().sorted(Comparator.comparingLong(Extent::offset)).toList();
        for (Extent e : sorted) {
            if (e.end() <= pos) {
                continue;
            }
            if (e.offset() >= end) {
                break;
            }
            if (e.offset() > pos) {
                if (!add(out, e.offset() - pos, Nbd.STATE_HOLE | Nbd.STATE_ZERO, max)) {
                    return out;
                }
                pos = e.offset();
            }
            long stop = Math.min(e.end(), end);
            if (!add(out, stop - pos, 0, max)) {
                return out;
            }
            pos = stop;
        }
        if (pos < end) {
            add(out, end - pos, Nbd.STATE_HOLE | Nbd.STATE_ZERO, max);
        }
        return out;
    }

    /** Appends (or merges) a descriptor; false once no more fit. */
    private static boolean add(List<long[]> out, long length, int flags, int max) {
        if (!out.isEmpty() && out.getLast()[1] == flags) {
            out.getLast()[0] += length;
        } else {
            out.add(new long[] {length, flags});
        }
        return out.size() < max;
    }

    private void chunkHeader(long cookie, int flags, int type, int length) throws IOException {
        out.writeInt(Nbd.STRUCTURED_REPLY_MAGIC);
        out.writeShort(flags);
        out.writeShort(type);
        out.writeLong(cookie);
        out.writeInt(length);
    }

    /** The final reply of a request: success ({@code error} 0) or an error with a message. */
    private void reply(Request r, int error, String message) throws IOException {
        if (error != 0) {
            LOG.debug("connection {}: command {} at {} of {} bytes: error {}: {}", id, r.type, r.offset, r.length, error, message);
        }
        if (!structured) {
            out.writeInt(Nbd.SIMPLE_REPLY_MAGIC);
            out.writeInt(error);
            out.writeLong(r.cookie);
        } else if (error == 0) {
            chunkHeader(r.cookie, Nbd.REPLY_FLAG_DONE, Nbd.REPLY_TYPE_NONE, 0);
        } else {
            byte[] text = message(message);
            chunkHeader(r.cookie, Nbd.REPLY_FLAG_DONE, Nbd.REPLY_TYPE_ERROR, 6 + text.length);
            out.writeInt(error);
            out.writeShort(text.length);
            out.write(text);
        }
        flushUnlessBusy();
    }

    /**
     * Sends the replies written so far unless the client has already sent more: then they go out
     * with the next requests' replies (or when the buffer fills, or the connection ends), so that
     * pipelined requests do not cost a send each.
     */
    private void flushUnlessBusy() throws IOException {
        if (in.available() == 0) {
            out.flush();
        }
    }

    private static byte[] message(String message) {
        byte[] text = String.valueOf(message).getBytes(StandardCharsets.UTF_8);
        if (text.length <= MAX_MESSAGE_BYTES) {
            return text;
        }
        int cut = MAX_MESSAGE_BYTES;
        while (cut > 0 && (text[cut] & 0xC0) == 0x80) {
            cut--; // not inside a UTF-8 sequence
        }
        return java.util.Arrays.copyOf(text, cut);
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

    /** A client broke the protocol so that the stream cannot be followed: the connection ends. */
    private static final class Violation extends IOException {
        Violation(String message) {
            super(message);
        }
    }
}

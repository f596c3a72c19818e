package io.coems.nbd;

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

/**
 * One client's connection: the fixed newstyle handshake on the connection's thread, then its
 * requests, several in flight (see {@link Transmission}; layouts in {@link Nbd}). An option or
 * request the server cannot serve is answered with an NBD error and the connection stays usable;
 * only a broken framing (bad magic, the socket closed, an unknown export after EXPORT_NAME) ends
 * it. Memory is bounded: option data up to 64 KiB, and the request buffers of
 * {@link RequestBuffers}.
 */
final class NbdConnection implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(NbdConnection.class);

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

    /** Makes the next read of a request see the end of the stream; the requests in flight are finished. */
    void stopReading() {
        try {
            socket.shutdownInput();
        } catch (IOException e) {
            LOG.debug("connection {}: shutting down input", id, e);
        }
    }

    /** Closes the socket: the connection's thread and its requests in flight fail on their next I/O. */
    void closeSocket() {
        NbdServer.closeQuietly(socket);
    }

    /** The connection's number, for the log. */
    long id() {
        return id;
    }

    @Override
    public void run() {
        String peer = String.valueOf(socket.getRemoteSocketAddress());
        LOG.debug("connection {} from {}", id, peer);
        try (socket) {
            socket.setTcpNoDelay(true);
            // A small input buffer: request headers are read through it many at a time, while
            // the rest of a WRITE's payload longer than it is read straight into its buffer.
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 8 << 10));
            out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 << 10));
            NbdExport export = handshake();
            if (export != null) {
                LOG.debug("connection {} from {} serves {}", id, peer, export.name());
                new Transmission(server, this, export, structured, export.name().equals(allocationExport), in, out).run();
            }
        } catch (ProtocolViolation e) {
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
            throw new ProtocolViolation("unknown client flags 0x" + Integer.toHexString(clientFlags));
        }
        noZeroes = (clientFlags & Nbd.FLAG_NO_ZEROES) != 0;
        while (true) {
            long magic = in.readLong();
            if (magic != Nbd.IHAVEOPT) {
                throw new ProtocolViolation("option magic 0x" + Long.toHexString(magic) + " is not IHAVEOPT");
            }
            int option = in.readInt();
            long length = Integer.toUnsignedLong(in.readInt());
            if (length > Nbd.MAX_OPTION_BYTES) {
                if (option == Nbd.OPT_EXPORT_NAME) {
                    throw new ProtocolViolation("EXPORT_NAME of " + length + " bytes");
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
                        .orElseThrow(() -> new ProtocolViolation("EXPORT_NAME of the unknown export \"" + name + "\""));
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
        optionReply(option, type, Nbd.message(message));
    }
}

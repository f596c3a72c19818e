package io.coems.nbd;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A tiny NBD client for the protocol tests: raw messages, little logic. */
final class TestClient implements AutoCloseable {
    final Socket socket;
    final DataInputStream in;
    final DataOutputStream out;
    final int handshakeFlags;
    boolean structured;
    long cookie = 100;

    TestClient(int port, int clientFlags) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        out = new DataOutputStream(socket.getOutputStream());
        assertEquals(Nbd.NBDMAGIC, in.readLong());
        assertEquals(Nbd.IHAVEOPT, in.readLong());
        handshakeFlags = in.readUnsignedShort();
        out.writeInt(clientFlags);
    }

    TestClient(int port) throws IOException {
        this(port, Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES);
    }

    record OptionReply(int option, int type, byte[] data) {
        ByteBuffer buffer() {
            return ByteBuffer.wrap(data);
        }
    }

    void sendOption(int option, byte[] data) throws IOException {
        out.writeLong(Nbd.IHAVEOPT);
        out.writeInt(option);
        out.writeInt(data.length);
        out.write(data);
        out.flush();
    }

    OptionReply optionReply() throws IOException {
        assertEquals(Nbd.OPTION_REPLY_MAGIC, in.readLong());
        int option = in.readInt();
        int type = in.readInt();
        byte[] data = in.readNBytes(in.readInt());
        return new OptionReply(option, type, data);
    }

    /** Every reply to one option, the final one (ACK or an error) last. */
    List<OptionReply> option(int option, byte[] data) throws IOException {
        sendOption(option, data);
        List<OptionReply> replies = new ArrayList<>();
        while (true) {
            OptionReply reply = optionReply();
            assertEquals(option, reply.option());
            replies.add(reply);
            if (reply.type() == Nbd.REP_ACK || reply.type() < 0) {
                return replies;
            }
        }
    }

    static byte[] goData(String name, int... infos) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + n.length + 2 + 2 * infos.length).putInt(n.length).put(n).putShort((short) infos.length);
        for (int info : infos) {
            b.putShort((short) info);
        }
        return b.array();
    }

    static byte[] metaData(String name, String... queries) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        int size = 4 + n.length + 4;
        for (String q : queries) {
            size += 4 + q.length();
        }
        ByteBuffer b = ByteBuffer.allocate(size).putInt(n.length).put(n).putInt(queries.length);
        for (String q : queries) {
            b.putInt(q.length()).put(q.getBytes(StandardCharsets.US_ASCII));
        }
        return b.array();
    }

    /** GO to {@code name}; returns {size, transmission flags}. */
    long[] go(String name) throws IOException {
        List<OptionReply> replies = option(Nbd.OPT_GO, goData(name, Nbd.INFO_BLOCK_SIZE));
        assertEquals(Nbd.REP_ACK, replies.getLast().type(), () -> "GO " + name + ": " + new String(replies.getLast().data(), StandardCharsets.UTF_8));
        ByteBuffer export = replies.getFirst().buffer();
        assertEquals(Nbd.INFO_EXPORT, export.getShort());
        return new long[] {export.getLong(), Short.toUnsignedInt(export.getShort())};
    }

    /** Negotiates structured replies and base:allocation, then GO. */
    long[] goStructured(String name) throws IOException {
        assertEquals(Nbd.REP_ACK, option(Nbd.OPT_STRUCTURED_REPLY, new byte[0]).getLast().type());
        structured = true;
        List<OptionReply> set = option(Nbd.OPT_SET_META_CONTEXT, metaData(name, Nbd.BASE_ALLOCATION));
        assertEquals(2, set.size());
        assertEquals(Nbd.REP_META_CONTEXT, set.getFirst().type());
        return go(name);
    }

    long request(int flags, int type, long offset, long length, byte[] data) throws IOException {
        long c = ++cookie;
        out.writeInt(Nbd.REQUEST_MAGIC);
        out.writeShort(flags);
        out.writeShort(type);
        out.writeLong(c);
        out.writeLong(offset);
        out.writeInt((int) length);
        if (data != null) {
            out.write(data);
        }
        out.flush();
        return c;
    }

    /** A reply: its error, and for reads the data (structured chunks reassembled), for block status the descriptors. */
    record Reply(int error, byte[] data, List<long[]> descriptors, String message) {
    }

    /** Reads the (whole) reply to {@code cookie}; {@code readLength} bytes of data follow a successful simple READ reply. */
    Reply reply(long cookie, long offset, int readLength) throws IOException {
        if (!structured) {
            assertEquals(Nbd.SIMPLE_REPLY_MAGIC, in.readInt());
            int error = in.readInt();
            assertEquals(cookie, in.readLong());
            byte[] data = error == 0 && readLength > 0 ? in.readNBytes(readLength) : new byte[0];
            return new Reply(error, data, List.of(), null);
        }
        byte[] data = new byte[Math.max(readLength, 0)];
        List<long[]> descriptors = new ArrayList<>();
        int error = 0;
        String message = null;
        while (true) {
            int magic = in.readInt();
            if (magic == Nbd.SIMPLE_REPLY_MAGIC) {
                error = in.readInt();
                assertEquals(cookie, in.readLong());
                return new Reply(error, data, descriptors, null);
            }
            assertEquals(Nbd.STRUCTURED_REPLY_MAGIC, magic);
            int flags = in.readUnsignedShort();
            int type = in.readUnsignedShort();
            assertEquals(cookie, in.readLong());
            int length = in.readInt();
            switch (type) {
                case Nbd.REPLY_TYPE_NONE -> assertEquals(0, length);
                case Nbd.REPLY_TYPE_OFFSET_DATA -> {
                    long at = in.readLong();
                    in.readFully(data, (int) (at - offset), length - 8);
                }
                case Nbd.REPLY_TYPE_BLOCK_STATUS -> {
                    assertEquals(Nbd.ALLOCATION_CONTEXT_ID, in.readInt());
                    for (int i = 0; i < (length - 4) / 8; i++) {
                        descriptors.add(new long[] {Integer.toUnsignedLong(in.readInt()), in.readInt()});
                    }
                }
                case Nbd.REPLY_TYPE_ERROR -> {
                    error = in.readInt();
                    message = new String(in.readNBytes(in.readUnsignedShort()), StandardCharsets.UTF_8);
                    assertEquals(length, 6 + message.getBytes(StandardCharsets.UTF_8).length);
                }
                default -> throw new AssertionError("chunk type " + type);
            }
            if ((flags & Nbd.REPLY_FLAG_DONE) != 0) {
                return new Reply(error, data, descriptors, message);
            }
        }
    }

    /** The cookie of the next reply, not consumed: it is at byte 8 of simple replies and of chunks alike. */
    long peekCookie() throws IOException {
        in.mark(16);
        in.skipNBytes(8);
        long c = in.readLong();
        in.reset();
        return c;
    }

    Reply read(long offset, int length) throws IOException {
        return reply(request(0, Nbd.CMD_READ, offset, length, null), offset, length);
    }

    Reply write(int flags, long offset, byte[] data) throws IOException {
        return reply(request(flags, Nbd.CMD_WRITE, offset, data.length, data), offset, 0);
    }

    Reply command(int flags, int type, long offset, long length) throws IOException {
        return reply(request(flags, type, offset, length, null), offset, 0);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

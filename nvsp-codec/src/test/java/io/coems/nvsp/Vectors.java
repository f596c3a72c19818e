package io.coems.nvsp;

import io.coems.nvsp.crypto.Direction;
import io.coems.nvsp.crypto.Handshake;
import io.coems.nvsp.crypto.Hkdf;
import io.coems.nvsp.crypto.Sealer;
import io.coems.nvsp.crypto.SessionKeys;
import io.coems.nvsp.crypto.TestCiphers;
import io.coems.nvsp.crypto.TrafficKey;
import io.coems.nvsp.frame.FrameHeader;
import io.coems.nvsp.frame.Fragmenter;
import io.coems.nvsp.message.Accept;
import io.coems.nvsp.message.Authenticate;
import io.coems.nvsp.message.BlockRequest;
import io.coems.nvsp.message.BlockStatusResponse;
import io.coems.nvsp.message.Cookie;
import io.coems.nvsp.message.Hello;
import io.coems.nvsp.message.ManagementRequest;
import io.coems.nvsp.message.ManagementResponse;
import io.coems.nvsp.message.MessageHeader;
import io.coems.nvsp.message.MessageType;
import io.coems.nvsp.message.Nack;
import io.coems.nvsp.message.RangeRequest;
import io.coems.nvsp.message.ReadResponse;
import io.coems.nvsp.message.StatusResponse;
import io.coems.nvsp.message.WriteRequest;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * Test helper: the datagrams of the golden test vectors, built by the encoders from fixed
 * inputs. Protected ones use the session keys {@link #KEYS} that the handshake vectors derive:
 * client-to-server datagrams from sequence {@link #CLIENT_FIRST_SEQUENCE}, server-to-client
 * ones from {@link #SERVER_FIRST_SEQUENCE}, so no key and nonce pair occurs twice.
 */
public final class Vectors {
    /** The pre-shared key of the handshake vectors: bytes 0x00..0x1f. */
    public static final byte[] PSK = bytes(0x00, 32);
    /** The client nonce of HELLO and AUTHENTICATE: bytes 0x10..0x1f. */
    public static final byte[] CLIENT_NONCE = bytes(0x10, 16);
    /** The server nonce of ACCEPT: bytes 0x80..0x8f. */
    public static final byte[] SERVER_NONCE = bytes(0x80, 16);
    /** Session id of ACCEPT and the post-handshake vectors. */
    public static final long SESSION = 0x1122334455667788L;
    /** The session keys the handshake vectors derive, which protect the protected vectors. */
    public static final SessionKeys KEYS = SessionKeys.derive(PSK, CLIENT_NONCE, SERVER_NONCE, SESSION);
    /** The sequence of the first protected client-to-server vector. */
    public static final long CLIENT_FIRST_SEQUENCE = 7;
    /** The sequence of the first protected server-to-client vector. */
    public static final long SERVER_FIRST_SEQUENCE = 3;

    private final FrameHeader frame = new FrameHeader();
    private final Hello hello = new Hello();
    private final Cookie cookie = new Cookie();
    private final Authenticate authenticate = new Authenticate();
    private final Accept accept = new Accept();
    private final StatusResponse status = new StatusResponse();
    private final Nack nack = new Nack();
    private final BlockRequest block = new BlockRequest();
    private final WriteRequest write = new WriteRequest();
    private final ReadResponse read = new ReadResponse();
    private final BlockStatusResponse extents = new BlockStatusResponse();
    private final ManagementRequest management = new ManagementRequest();
    private final ManagementResponse result = new ManagementResponse();
    private final MessageHeader header = new MessageHeader();
    private final Sealer encrypting = TestCiphers.sealer(KEYS.key(Direction.CLIENT_TO_SERVER),
            SecurityMode.ENCRYPTED, CLIENT_FIRST_SEQUENCE);
    private final Sealer integrity = TestCiphers.sealer(KEYS.key(Direction.SERVER_TO_CLIENT),
            SecurityMode.INTEGRITY_ONLY, SERVER_FIRST_SEQUENCE);

    /**
     * Returns the key-derivation vector, in file order: the handshake inputs, the HKDF
     * intermediate values and the traffic keys of both directions, as hex.
     */
    public static Map<String, String> keyDerivation() {
        HexFormat hex = HexFormat.of();
        byte[] salt = new byte[CLIENT_NONCE.length + SERVER_NONCE.length];
        System.arraycopy(CLIENT_NONCE, 0, salt, 0, CLIENT_NONCE.length);
        System.arraycopy(SERVER_NONCE, 0, salt, CLIENT_NONCE.length, SERVER_NONCE.length);
        Map<String, String> vector = new LinkedHashMap<>();
        vector.put("psk", hex.formatHex(PSK));
        vector.put("client-nonce", hex.formatHex(CLIENT_NONCE));
        vector.put("server-nonce", hex.formatHex(SERVER_NONCE));
        vector.put("session-id", Long.toHexString(SESSION));
        vector.put("prk", hex.formatHex(Hkdf.extract(salt, PSK)));
        for (Direction direction : Direction.values()) {
            String name = direction == Direction.CLIENT_TO_SERVER ? "c2s" : "s2c";
            byte[] label = ("nvsp1 " + name).getBytes(StandardCharsets.US_ASCII);
            byte[] info = new byte[label.length + Long.BYTES];
            System.arraycopy(label, 0, info, 0, label.length);
            ByteBuffer.wrap(info).order(ByteOrder.LITTLE_ENDIAN).putLong(label.length, SESSION);
            TrafficKey key = KEYS.key(direction);
            vector.put(name + "-info", hex.formatHex(info));
            vector.put(name + "-key", hex.formatHex(key.key().getEncoded()));
            vector.put(name + "-nonce-prefix", hex.formatHex(key.noncePrefix()));
        }
        return vector;
    }

    /** Returns the vectors by name, in file order; each writes a datagram and returns its length. */
    public Map<String, ToIntFunction<MemorySegment>> all() {
        Map<String, ToIntFunction<MemorySegment>> all = new LinkedHashMap<>();
        all.put("hello", buf -> plain(buf, 0, 1, hello.encode(buf, FrameHeader.LENGTH, room(buf), MessageType.HELLO)
                .versions(1, 1).maxDatagram(1408).securityMode(SecurityMode.ENCRYPTED).clientId(42)
                .putClientNonce(CLIENT_NONCE).encodedLength()));
        all.put("cookie", buf -> plain(buf, 0, 1, cookie.encode(buf, FrameHeader.LENGTH, room(buf), MessageType.COOKIE)
                .status(Status.OK).version(1).putCookie(bytes(0x60, 32)).encodedLength()));
        all.put("authenticate", buf -> plain(buf, 0, 2, signedAuthenticate(buf, FrameHeader.LENGTH)));
        all.put("accept", buf -> {
            MemorySegment scratch = MemorySegment.ofArray(new byte[256]);
            signedAuthenticate(scratch, 0);
            accept.encode(buf, FrameHeader.LENGTH, room(buf), MessageType.ACCEPT).status(Status.OK)
                    .version(1).maxDatagram(1408).securityMode(SecurityMode.ENCRYPTED).keepAliveSeconds(15)
                    .credits(64).sessionId(SESSION).putServerNonce(SERVER_NONCE);
            Handshake.sign(PSK, authenticate, accept);
            return plain(buf, 0, 2, accept.encodedLength());
        });
        all.put("keepalive", buf -> {
            header.encode(buf, FrameHeader.LENGTH, room(buf), MessageType.KEEPALIVE, 0);
            return plain(buf, SESSION, 3, MessageHeader.LENGTH);
        });
        all.put("close", buf -> plain(buf, SESSION, 4, status.encode(buf, FrameHeader.LENGTH, room(buf),
                MessageType.CLOSE).status(Status.ESHUTDOWN).encodedLength()));
        all.put("error-unsupported", buf -> plain(buf, SESSION, 5, status.encode(buf, FrameHeader.LENGTH, room(buf),
                MessageType.ERROR).status(Status.ENOTSUP).encodedLength()));
        all.put("nack", buf -> plain(buf, SESSION, 6, nack.encode(buf, FrameHeader.LENGTH, room(buf), MessageType.NACK)
                .fragmentCount(12).missing(3).missing(10).encodedLength()));
        all.put("read", buf -> plain(buf, SESSION, 7, range(buf, MessageType.READ, 65536, 0)));
        all.put("read-response", buf -> plain(buf, SESSION, 7, readResponse(buf)));
        all.put("write-fua", buf -> plain(buf, SESSION, 8, writeRequest(buf, RangeRequest.FLAG_FUA, 16)));
        all.put("flush", buf -> plain(buf, SESSION, 9, range(buf, MessageType.FLUSH, 0, 0)));
        all.put("trim", buf -> plain(buf, SESSION, 10, range(buf, MessageType.TRIM, 1 << 20, 0)));
        all.put("write-zeroes", buf -> plain(buf, SESSION, 11, range(buf, MessageType.WRITE_ZEROES, 8192,
                RangeRequest.FLAG_NO_HOLE)));
        all.put("block-status", buf -> plain(buf, SESSION, 12, range(buf, MessageType.BLOCK_STATUS, 1 << 20, 0)));
        all.put("block-status-response", buf -> plain(buf, SESSION, 12, extents.encode(buf, FrameHeader.LENGTH,
                room(buf), MessageType.BLOCK_STATUS_RESPONSE).status(Status.OK).addExtent(0, 65536, 0)
                .addExtent(65536, 983040, BlockStatusResponse.STATE_HOLE | BlockStatusResponse.STATE_ZERO)
                .encodedLength()));
        all.put("acquire-lease", buf -> plain(buf, SESSION, 13, management.encode(buf, FrameHeader.LENGTH, room(buf),
                MessageType.ACQUIRE_LEASE).argument(30_000).encodedLength()));
        all.put("acquire-lease-response", buf -> plain(buf, SESSION, 13, result.encode(buf, FrameHeader.LENGTH,
                room(buf), MessageType.ACQUIRE_LEASE_RESPONSE).status(Status.OK).resultId(5)
                .resultValue(1_767_225_630_000L).encodedLength()));
        all.put("create-volume", buf -> plain(buf, SESSION, 14, management.encode(buf, FrameHeader.LENGTH, room(buf),
                MessageType.CREATE_VOLUME).fencingToken(5).argument(1L << 30).name("data-01").encodedLength()));
        all.put("register-client", buf -> plain(buf, SESSION, 15, management.encode(buf, FrameHeader.LENGTH,
                room(buf), MessageType.REGISTER_CLIENT).fencingToken(5).name("host-a").putSecret(bytes(0xc0, 32))
                .encodedLength()));
        all.put("list-volumes-response", buf -> plain(buf, SESSION, 16, result.encode(buf, FrameHeader.LENGTH,
                room(buf), MessageType.LIST_VOLUMES_RESPONSE).status(Status.OK).addEntry(1, 1L << 30, 0, 1_767_225_600_000L)
                .addEntry(2, 1L << 31, 9, 1_767_225_601_000L).encodedLength()));
        all.put("stale-token", buf -> plain(buf, SESSION, 17, result.encode(buf, FrameHeader.LENGTH, room(buf),
                MessageType.DELETE_VOLUME_RESPONSE).status(Status.STALE_FENCING_TOKEN).encodedLength()));
        all.put("read-encrypted", buf -> sealed(encrypting, buf, 18, range(buf, MessageType.READ, 4096, 0)));
        all.put("write-encrypted", buf -> sealed(encrypting, buf, 19, writeRequest(buf, 0, 32)));
        all.put("write-response-integrity-only", buf -> sealed(integrity, buf, 19, status.encode(buf,
                FrameHeader.LENGTH, room(buf), MessageType.WRITE_RESPONSE).status(Status.OK).encodedLength()));
        all.put("write-fragment-1-of-3", buf -> fragment(buf, 1));
        return all;
    }

    private int signedAuthenticate(MemorySegment buf, long offset) {
        authenticate.encode(buf, offset, (int) (buf.byteSize() - offset), MessageType.AUTHENTICATE).version(1)
                .versions(1, 1)
                .maxDatagram(1408).securityMode(SecurityMode.ENCRYPTED).clientId(42)
                .putClientNonce(CLIENT_NONCE).putCookie(bytes(0x60, 32));
        Handshake.sign(PSK, authenticate);
        return authenticate.encodedLength();
    }

    private int range(MemorySegment buf, MessageType type, long length, long flags) {
        return block.encode(buf, FrameHeader.LENGTH, room(buf), type).volumeId(3).volumeOffset(1L << 20)
                .length(length).flags(flags).encodedLength();
    }

    private int writeRequest(MemorySegment buf, long flags, int dataLength) {
        write.encode(buf, FrameHeader.LENGTH, room(buf), MessageType.WRITE).volumeId(3).volumeOffset(1L << 20)
                .flags(flags).data().put(MemorySegment.ofArray(bytes(0x30, dataLength)), 0, dataLength);
        return write.encodedLength();
    }

    private int readResponse(MemorySegment buf) {
        read.encode(buf, FrameHeader.LENGTH, room(buf), MessageType.READ_RESPONSE).status(Status.OK)
                .data().put(MemorySegment.ofArray(bytes(0x30, 16)), 0, 16);
        return read.encodedLength();
    }

    private int fragment(MemorySegment buf, int index) {
        MemorySegment message = MemorySegment.ofArray(new byte[4096]);
        write.encode(message, 0, 4096, MessageType.WRITE).volumeId(3).volumeOffset(0)
                .data().put(MemorySegment.ofArray(bytes(0x00, 200)), 0, 200);
        frame.encode(buf, 0, room(buf) + FrameHeader.LENGTH).sessionId(SESSION).sequence(21).requestId(20).credits(32);
        return new Fragmenter(120, false).writeFragment(frame, message, 0, write.encodedLength(), index);
    }

    private int plain(MemorySegment buf, long session, long request, int messageLength) {
        return frame.encode(buf, 0, (int) buf.byteSize()).sessionId(session).sequence(request).requestId(request)
                .credits(session == 0 ? 0 : 32).payloadLength(messageLength).frameLength();
    }

    private int sealed(Sealer sealer, MemorySegment buf, long request, int messageLength) {
        frame.encode(buf, 0, (int) buf.byteSize()).sessionId(SESSION).requestId(request).credits(32)
                .payloadLength(messageLength);
        return sealer.seal(frame);
    }

    private static int room(MemorySegment buf) {
        return (int) buf.byteSize() - FrameHeader.LENGTH - FrameHeader.TAG_LENGTH;
    }

    /** Returns {@code length} bytes counting up from {@code first}. */
    public static byte[] bytes(int first, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (first + i);
        }
        return bytes;
    }
}

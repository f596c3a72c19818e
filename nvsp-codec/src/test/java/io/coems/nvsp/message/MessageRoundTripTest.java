package io.coems.nvsp.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.coems.nvsp.SecurityMode;
import io.coems.nvsp.Status;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/**
 * Every message encodes and decodes back to the same fields, at any offset in the buffer; the
 * decoder works on a copy, so it depends on nothing but the bytes.
 */
class MessageRoundTripTest {
    private static final int CAPACITY = 70_000;

    /** Copies the encoded message to a fresh buffer at another offset, as a receiver sees it. */
    private static MemorySegment received(Message<?> encoded, int offset) {
        MemorySegment copy = MemorySegment.ofArray(new byte[offset + encoded.encodedLength()]);
        MemorySegment.copy(encoded.segment(), encoded.offset(), copy, offset, encoded.encodedLength());
        return copy;
    }

    private static MemorySegment buffer() {
        return MemorySegment.ofArray(new byte[CAPACITY]);
    }

    @Provide
    Arbitrary<Status> wireStatus() {
        return Arbitraries.of(Status.values()).filter(s -> s.code() >= 0);
    }

    @Provide
    Arbitrary<MessageType> blockTypes() {
        return Arbitraries.of(MessageType.values()).filter(t -> t.layout() == Layout.BLOCK);
    }

    @Provide
    Arbitrary<MessageType> statusTypes() {
        return Arbitraries.of(MessageType.values()).filter(t -> t.layout() == Layout.STATUS);
    }

    @Provide
    Arbitrary<MessageType> managementTypes() {
        return Arbitraries.of(MessageType.values()).filter(t -> t.layout() == Layout.MANAGEMENT);
    }

    @Provide
    Arbitrary<MessageType> managementResultTypes() {
        return Arbitraries.of(MessageType.values()).filter(t -> t.layout() == Layout.MANAGEMENT_RESULT);
    }

    @Property(tries = 200)
    void hello(@ForAll @IntRange(max = 0xFFFF) int min, @ForAll @IntRange(max = 0xFFFF) int max,
            @ForAll @IntRange(max = 0xFFFF) int datagram, @ForAll SecurityMode mode, @ForAll long client,
            @ForAll @Size(16) byte[] nonce, @ForAll @IntRange(max = 64) int at) {
        Hello sent = new Hello().encode(buffer(), 3, CAPACITY - 3, MessageType.HELLO).versions(min, max)
                .maxDatagram(datagram).securityMode(mode).clientId(client).putClientNonce(nonce);
        Hello got = new Hello().wrap(received(sent, at), at, sent.encodedLength());
        byte[] gotNonce = new byte[16];
        got.clientNonce(gotNonce);
        assertEquals(MessageType.HELLO, got.type());
        assertEquals(min, got.minVersion());
        assertEquals(max, got.maxVersion());
        assertEquals(datagram, got.maxDatagram());
        assertEquals(mode, got.securityMode());
        assertEquals(client, got.clientId());
        assertArrayEquals(nonce, gotNonce);
        assertEquals(MessageHeader.LENGTH + Hello.BLOCK_LENGTH, got.encodedLength());
    }

    @Property(tries = 200)
    void cookie(@ForAll("wireStatus") Status status, @ForAll @IntRange(max = 0xFFFF) int version,
            @ForAll @Size(32) byte[] cookie, @ForAll @IntRange(max = 64) int at) {
        Cookie sent = new Cookie().encode(buffer(), 0, CAPACITY, MessageType.COOKIE).status(status)
                .version(version).putCookie(cookie);
        Cookie got = new Cookie().wrap(received(sent, at), at, sent.encodedLength());
        byte[] gotCookie = new byte[32];
        got.cookie(gotCookie);
        assertEquals(status, got.status());
        assertEquals(version, got.version());
        assertArrayEquals(cookie, gotCookie);
    }

    @Property(tries = 200)
    void authenticate(@ForAll @IntRange(max = 0xFFFF) int version, @ForAll @IntRange(max = 0xFFFF) int datagram,
            @ForAll SecurityMode mode, @ForAll long client, @ForAll @Size(16) byte[] nonce,
            @ForAll @Size(32) byte[] cookie, @ForAll @Size(32) byte[] proof) {
        Authenticate sent = new Authenticate().encode(buffer(), 0, CAPACITY, MessageType.AUTHENTICATE)
                .version(version).versions(version / 2, datagram).maxDatagram(datagram).securityMode(mode)
                .clientId(client).putClientNonce(nonce).putCookie(cookie).putProof(proof);
        Authenticate got = new Authenticate().wrap(received(sent, 0), 0, sent.encodedLength());
        assertEquals(version / 2, got.minVersion());
        assertEquals(datagram, got.maxVersion());
        byte[] gotNonce = new byte[16];
        byte[] gotCookie = new byte[32];
        byte[] gotProof = new byte[32];
        got.clientNonce(gotNonce);
        got.cookie(gotCookie);
        got.proof(gotProof);
        assertEquals(version, got.version());
        assertEquals(datagram, got.maxDatagram());
        assertEquals(mode, got.securityMode());
        assertEquals(client, got.clientId());
        assertArrayEquals(nonce, gotNonce);
        assertArrayEquals(cookie, gotCookie);
        assertArrayEquals(proof, gotProof);
    }

    @Property(tries = 200)
    void accept(@ForAll("wireStatus") Status status, @ForAll @IntRange(max = 0xFFFF) int version,
            @ForAll @IntRange(max = 0xFFFF) int datagram, @ForAll SecurityMode mode,
            @ForAll @IntRange(max = 0xFFFF) int keepAlive, @ForAll @LongRange(max = 0xFFFF_FFFFL) long credits,
            @ForAll long anySession, @ForAll @Size(16) byte[] nonce, @ForAll @Size(32) byte[] proof) {
        long session = anySession == 0 ? 1 : anySession;
        Accept sent = new Accept().encode(buffer(), 0, CAPACITY, MessageType.ACCEPT).status(status)
                .version(version).maxDatagram(datagram).securityMode(mode).keepAliveSeconds(keepAlive)
                .credits(credits).sessionId(session).putServerNonce(nonce).putProof(proof);
        Accept got = new Accept().wrap(received(sent, 5), 5, sent.encodedLength());
        byte[] gotNonce = new byte[16];
        byte[] gotProof = new byte[32];
        got.serverNonce(gotNonce);
        got.proof(gotProof);
        assertEquals(status, got.status());
        assertEquals(version, got.version());
        assertEquals(datagram, got.maxDatagram());
        assertEquals(mode, got.securityMode());
        assertEquals(keepAlive, got.keepAliveSeconds());
        assertEquals(credits, got.credits());
        assertEquals(session, got.sessionId());
        assertArrayEquals(nonce, gotNonce);
        assertArrayEquals(proof, gotProof);
    }

    @Property(tries = 200)
    void statusResponses(@ForAll("statusTypes") MessageType type, @ForAll("wireStatus") Status status) {
        StatusResponse sent = new StatusResponse().encode(buffer(), 0, CAPACITY, type).status(status);
        StatusResponse got = new StatusResponse().wrap(received(sent, 1), 1, sent.encodedLength());
        assertEquals(type, got.type());
        assertEquals(status, got.status());
    }

    @Property(tries = 200)
    void nack(@ForAll @IntRange(min = 1, max = 0xFFFF) int count, @ForAll long seed) {
        Nack sent = new Nack().encode(buffer(), 0, CAPACITY, MessageType.NACK).fragmentCount(count);
        Random random = new Random(seed);
        boolean[] missing = new boolean[count];
        for (int i = 0; i < count; i++) {
            missing[i] = random.nextInt(4) == 0;
            if (missing[i]) {
                sent.missing(i);
            }
        }
        Nack got = new Nack().wrap(received(sent, 0), 0, sent.encodedLength());
        assertEquals(count, got.fragmentCount());
        for (int i = 0; i < count; i++) {
            assertEquals(missing[i], got.isMissing(i), "fragment " + i);
        }
    }

    @Property(tries = 200)
    void blockRequests(@ForAll("blockTypes") MessageType type, @ForAll long volume, @ForAll long offset,
            @ForAll @LongRange(max = 0xFFFF_FFFFL) long length, @ForAll @LongRange(max = 0xFFFF_FFFFL) long flags) {
        BlockRequest sent = new BlockRequest().encode(buffer(), 0, CAPACITY, type).volumeId(volume)
                .volumeOffset(offset).length(length).flags(flags);
        BlockRequest got = new BlockRequest().wrap(received(sent, 7), 7, sent.encodedLength());
        assertEquals(type, got.type());
        assertEquals(volume, got.volumeId());
        assertEquals(offset, got.volumeOffset());
        assertEquals(length, got.length());
        assertEquals(flags, got.flags());
    }

    @Property(tries = 100)
    void writeRequests(@ForAll long volume, @ForAll long offset, @ForAll @LongRange(max = 0xFFFF_FFFFL) long flags,
            @ForAll @Size(max = 65536) byte[] data) {
        WriteRequest sent = new WriteRequest().encode(buffer(), 0, CAPACITY, MessageType.WRITE).volumeId(volume)
                .volumeOffset(offset).flags(flags);
        sent.data().put(MemorySegment.ofArray(data), 0, data.length);
        WriteRequest got = new WriteRequest().wrap(received(sent, 0), 0, sent.encodedLength());
        got.data().verify();
        assertEquals(volume, got.volumeId());
        assertEquals(offset, got.volumeOffset());
        assertEquals(flags, got.flags());
        assertEquals(data.length, got.length());
        assertArrayEquals(data, copyOut(got.data()));
    }

    @Property(tries = 100)
    void readResponses(@ForAll("wireStatus") Status status, @ForAll @Size(max = 65536) byte[] data) {
        ReadResponse sent = new ReadResponse().encode(ByteBuffer.allocateDirect(CAPACITY), 0, CAPACITY,
                MessageType.READ_RESPONSE).status(status);
        sent.data().put(MemorySegment.ofArray(data), 0, data.length);
        ReadResponse got = new ReadResponse().wrap(received(sent, 0), 0, sent.encodedLength());
        got.data().verify();
        assertEquals(status, got.status());
        assertArrayEquals(data, copyOut(got.data()));
    }

    @Property(tries = 100)
    void readResponsesWrittenInPlace(@ForAll @Size(max = 65536) byte[] data, @ForAll @IntRange(max = 64) int at) {
        ByteBuffer direct = ByteBuffer.allocateDirect(CAPACITY);
        ReadResponse sent = new ReadResponse().encode(direct, at, CAPACITY - at, MessageType.READ_RESPONSE)
                .status(Status.OK);
        MemorySegment.copy(MemorySegment.ofArray(data), 0, MemorySegment.ofBuffer(direct), sent.data().dataOffset(),
                data.length);
        sent.data().putInPlace(data.length);
        ReadResponse got = new ReadResponse().wrap(received(sent, 0), 0, sent.encodedLength());
        got.data().verify();
        assertEquals(data.length, got.data().length());
        assertArrayEquals(data, copyOut(got.data()));
    }

    @Property(tries = 100)
    void blockStatusResponses(@ForAll("wireStatus") Status status, @ForAll @Size(max = 300) long[] offsets) {
        BlockStatusResponse sent = new BlockStatusResponse()
                .encode(buffer(), 0, CAPACITY, MessageType.BLOCK_STATUS_RESPONSE).status(status);
        for (int i = 0; i < offsets.length; i++) {
            sent.addExtent(offsets[i], i * 4096L, i % 4);
        }
        BlockStatusResponse got = new BlockStatusResponse().wrap(received(sent, 0), 0, sent.encodedLength());
        assertEquals(status, got.status());
        assertEquals(offsets.length, got.entryCount());
        for (int i = 0; i < offsets.length; i++) {
            assertEquals(offsets[i], got.extentOffset(i));
            assertEquals(i * 4096L, got.extentLength(i));
            assertEquals(i % 4, got.extentState(i));
        }
    }

    @Property(tries = 200)
    void managementRequests(@ForAll("managementTypes") MessageType type, @ForAll long token, @ForAll long volume,
            @ForAll long snapshot, @ForAll long client, @ForAll long argument,
            @ForAll @StringLength(max = 200) String name, @ForAll @Size(max = 64) byte[] anySecret) {
        byte[] secret = type == MessageType.REGISTER_CLIENT
                ? Arrays.copyOf(anySecret, ManagementRequest.PSK_LENGTH) : anySecret;
        ManagementRequest sent = new ManagementRequest().encode(buffer(), 0, CAPACITY, type).fencingToken(token)
                .volumeId(volume).snapshotId(snapshot).clientId(client).argument(argument).name(name)
                .putSecret(secret);
        ManagementRequest got = new ManagementRequest().wrap(received(sent, 2), 2, sent.encodedLength());
        assertEquals(type, got.type());
        assertEquals(token, got.fencingToken());
        assertEquals(volume, got.volumeId());
        assertEquals(snapshot, got.snapshotId());
        assertEquals(client, got.clientId());
        assertEquals(argument, got.argument());
        assertEquals(new String(name.getBytes(StandardCharsets.UTF_8),
                StandardCharsets.UTF_8), got.name());
        assertArrayEquals(secret, got.secret());
    }

    @Property(tries = 100)
    void managementResponses(@ForAll("managementResultTypes") MessageType type, @ForAll("wireStatus") Status status,
            @ForAll long id, @ForAll long value, @ForAll @Size(max = 100) long[] ids) {
        ManagementResponse sent = new ManagementResponse().encode(buffer(), 0, CAPACITY, type).status(status)
                .resultId(id).resultValue(value);
        for (int i = 0; i < ids.length; i++) {
            sent.addEntry(ids[i], i, ~ids[i], -i);
        }
        ManagementResponse got = new ManagementResponse().wrap(received(sent, 0), 0, sent.encodedLength());
        assertEquals(type, got.type());
        assertEquals(status, got.status());
        assertEquals(id, got.resultId());
        assertEquals(value, got.resultValue());
        assertEquals(ids.length, got.entryCount());
        for (int i = 0; i < ids.length; i++) {
            assertEquals(ids[i], got.entryId(i));
            assertEquals(i, got.entrySize(i));
            assertEquals(~ids[i], got.entryParent(i));
            assertEquals(-i, got.entryTime(i));
        }
    }

    @Property(tries = 100)
    void aReaderSkipsFieldsAppendedByALaterVersion(@ForAll long volume, @ForAll @Size(max = 2000) byte[] data,
            @ForAll @IntRange(min = 1, max = 200) int appended) {
        WriteRequest sent = new WriteRequest().encode(buffer(), 0, CAPACITY, MessageType.WRITE).volumeId(volume);
        sent.data().put(MemorySegment.ofArray(data), 0, data.length);
        byte[] v1 = received(sent, 0).toArray(ValueLayout.JAVA_BYTE);
        int blockEnd = MessageHeader.LENGTH + WriteRequest.BLOCK_LENGTH;
        byte[] later = new byte[v1.length + appended];
        System.arraycopy(v1, 0, later, 0, blockEnd);
        Arrays.fill(later, blockEnd, blockEnd + appended, (byte) 0x5A);
        System.arraycopy(v1, blockEnd, later, blockEnd + appended, v1.length - blockEnd);
        later[2] = (byte) (WriteRequest.BLOCK_LENGTH + appended);
        WriteRequest got = new WriteRequest().wrap(MemorySegment.ofArray(later), 0, later.length);
        got.data().verify();
        assertEquals(WriteRequest.BLOCK_LENGTH + appended, got.blockLength());
        assertEquals(volume, got.volumeId());
        assertArrayEquals(data, copyOut(got.data()));
    }

    private static byte[] copyOut(Payload payload) {
        byte[] out = new byte[(int) payload.length()];
        payload.copyTo(MemorySegment.ofArray(out), 0);
        return out;
    }
}

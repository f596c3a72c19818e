package io.coems.nvsp.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.coems.nvsp.AuthenticationException;
import io.coems.nvsp.EncodingException;
import io.coems.nvsp.ReplayException;
import io.coems.nvsp.SecurityMode;
import io.coems.nvsp.SequenceExhaustedException;
import io.coems.nvsp.Status;
import io.coems.nvsp.Vectors;
import io.coems.nvsp.frame.FrameHeader;
import io.coems.nvsp.message.Accept;
import io.coems.nvsp.message.Authenticate;
import io.coems.nvsp.message.Hello;
import io.coems.nvsp.message.MessageType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class CryptoTest {
    private static final HexFormat HEX = HexFormat.of();

    private final FrameHeader frame = new FrameHeader();

    @Test
    void hkdfMatchesRfc5869TestCases1And3() {
        byte[] ikm = new byte[22];
        Arrays.fill(ikm, (byte) 0x0b);
        byte[] prk = Hkdf.extract(HEX.parseHex("000102030405060708090a0b0c"), ikm);
        assertEquals("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5", HEX.formatHex(prk));
        assertEquals("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
                HEX.formatHex(Hkdf.expand(prk, HEX.parseHex("f0f1f2f3f4f5f6f7f8f9"), 42)));
        byte[] prk3 = Hkdf.extract(new byte[0], ikm);
        assertEquals("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
                HEX.formatHex(Hkdf.expand(prk3, new byte[0], 42)));
    }

    /** Writes a datagram with the payload, seals it and returns the sealed bytes. */
    private byte[] seal(Sealer sealer, byte[] payload) {
        MemorySegment buffer = MemorySegment.ofArray(new byte[FrameHeader.LENGTH + payload.length + FrameHeader.TAG_LENGTH]);
        frame.encode(buffer, 0, (int) buffer.byteSize()).sessionId(9).requestId(4).payloadLength(payload.length);
        MemorySegment.copy(MemorySegment.ofArray(payload), 0, buffer, FrameHeader.LENGTH, payload.length);
        assertEquals(buffer.byteSize(), sealer.seal(frame));
        return buffer.toArray(ValueLayout.JAVA_BYTE);
    }

    /** Opens a copy of a sealed datagram and returns its clear payload. */
    private byte[] open(Opener opener, byte[] sealed) {
        MemorySegment buffer = MemorySegment.ofArray(sealed.clone());
        opener.open(frame.wrap(buffer, 0, sealed.length));
        return Arrays.copyOfRange(buffer.toArray(ValueLayout.JAVA_BYTE), FrameHeader.LENGTH,
                FrameHeader.LENGTH + frame.payloadLength());
    }

    private static Opener opener(SecurityMode mode) {
        return new Opener(Vectors.KEYS.key(Direction.CLIENT_TO_SERVER), mode, new ReplayWindow(64));
    }

    @Property(tries = 100)
    void sealedDatagramsOpenToTheirPayloadInBothModes(@ForAll SecurityMode mode, @ForAll @Size(max = 1400) byte[] payload) {
        byte[] sealed = seal(new Sealer(Vectors.KEYS.key(Direction.CLIENT_TO_SERVER), mode, 1), payload);
        byte[] clearPart = Arrays.copyOfRange(sealed, FrameHeader.LENGTH, FrameHeader.LENGTH + payload.length);
        if (mode == SecurityMode.INTEGRITY_ONLY) {
            assertArrayEquals(payload, clearPart);
        } else if (payload.length >= 16) {
            assertFalse(Arrays.equals(payload, clearPart));
        }
        assertArrayEquals(payload, open(opener(mode), sealed));
    }

    /**
     * Seals a payload in a datagram at {@code at} of {@code memory}, opens it in place again and
     * returns the whole memory: the sealed datagram's bytes, then the clear ones.
     */
    private byte[][] sealAndOpenInPlace(SecurityMode mode, MemorySegment memory, int at, byte[] payload) {
        memory.fill((byte) 0x5A);
        frame.encode(memory, at, FrameHeader.LENGTH + payload.length + FrameHeader.TAG_LENGTH).sessionId(9)
                .requestId(4).payloadLength(payload.length);
        MemorySegment.copy(MemorySegment.ofArray(payload), 0, memory, at + FrameHeader.LENGTH, payload.length);
        int length = new Sealer(Vectors.KEYS.key(Direction.CLIENT_TO_SERVER), mode, 1).seal(frame);
        byte[] sealed = memory.toArray(ValueLayout.JAVA_BYTE);
        opener(mode).open(frame.wrap(memory, at, length));
        return new byte[][] {sealed, memory.toArray(ValueLayout.JAVA_BYTE)};
    }

    @Property(tries = 50)
    void datagramsInNativeMemoryAndOnTheHeapSealAndOpenAlike(@ForAll SecurityMode mode,
            @ForAll @Size(max = 9000) byte[] payload) {
        int room = FrameHeader.LENGTH + payload.length + FrameHeader.TAG_LENGTH;
        byte[][] heap = sealAndOpenInPlace(mode, MemorySegment.ofArray(new byte[room + 40]).asSlice(7, room + 20), 13,
                payload);
        byte[][] offHeap;
        try (Arena arena = Arena.ofConfined()) {
            offHeap = sealAndOpenInPlace(mode, arena.allocate(room + 20), 13, payload);
        }
        assertArrayEquals(heap[0], offHeap[0]);
        assertArrayEquals(heap[1], offHeap[1]);
        assertArrayEquals(payload, Arrays.copyOfRange(heap[1], 13 + FrameHeader.LENGTH,
                13 + FrameHeader.LENGTH + payload.length));
        for (int i : new int[] {0, 12, 13 + room, room + 19}) {
            assertEquals(0x5A, heap[0][i], "byte " + i + " outside the datagram");
        }
    }

    @Test
    void aReplayedDatagramIsRejectedAndCounted() {
        Opener opener = opener(SecurityMode.ENCRYPTED);
        byte[] sealed = seal(new Sealer(Vectors.KEYS.key(Direction.CLIENT_TO_SERVER), SecurityMode.ENCRYPTED, 1), new byte[100]);
        open(opener, sealed);
        ReplayException e = assertThrows(ReplayException.class, () -> open(opener, sealed));
        assertEquals(Status.DROP, e.status());
        assertEquals(1, opener.replays());
    }

    /** A sending thread preempted between sealing and sending: the others' datagrams overtake its own. */
    @Test
    void aSessionsOpenerTakesADatagramUpTo8191SequencesLate() {
        SessionKeys keys = SessionKeys.derive(Vectors.PSK, new byte[16], new byte[16], 1);
        Sealer preempted = keys.sealer(Direction.SERVER_TO_CLIENT, SecurityMode.ENCRYPTED);
        Sealer other = keys.sealer(Direction.SERVER_TO_CLIENT, SecurityMode.ENCRYPTED);
        Opener opener = keys.opener(Direction.SERVER_TO_CLIENT, SecurityMode.ENCRYPTED);
        byte[] first = seal(preempted, new byte[] {7}); // sequence 1
        byte[] second = seal(preempted, new byte[] {8}); // sequence 2
        for (int i = 0; i < 8190; i++) { // sequences 3 to 8,192, received before the two
            open(opener, seal(other, new byte[0]));
        }
        assertArrayEquals(new byte[] {8}, open(opener, second)); // 8,190 behind the highest
        open(opener, seal(other, new byte[0]));
        assertThrows(ReplayException.class, () -> open(opener, first)); // 8,192 behind: out of the window
        assertEquals(1, opener.replays());
    }

    @Test
    void aDatagramUnderAnotherKeyOrModeFailsAuthenticationAndIsCounted() {
        SessionKeys keys = SessionKeys.derive(Vectors.PSK, new byte[16], new byte[16], 1);
        byte[] sealed = seal(keys.sealer(Direction.CLIENT_TO_SERVER, SecurityMode.ENCRYPTED), new byte[10]);
        Opener wrongDirection = keys.opener(Direction.SERVER_TO_CLIENT, SecurityMode.ENCRYPTED);
        assertEquals(Status.DROP, assertThrows(AuthenticationException.class, () -> open(wrongDirection, sealed)).status());
        Opener wrongMode = keys.opener(Direction.CLIENT_TO_SERVER, SecurityMode.INTEGRITY_ONLY);
        assertThrows(AuthenticationException.class, () -> open(wrongMode, sealed));
        assertEquals(1, wrongDirection.forgeries());
        assertEquals(1, wrongMode.forgeries());
        assertArrayEquals(new byte[10], open(keys.opener(Direction.CLIENT_TO_SERVER, SecurityMode.ENCRYPTED), sealed));
    }

    @Test
    void anUnprotectedDatagramOnAProtectedSessionIsRejected() {
        MemorySegment buffer = MemorySegment.ofArray(new byte[100]);
        int length = frame.encode(buffer, 0, 100).payloadLength(10).frameLength();
        Opener opener = opener(SecurityMode.INTEGRITY_ONLY);
        assertThrows(AuthenticationException.class, () -> opener.open(frame.wrap(buffer, 0, length)));
    }

    @Test
    void theLastSequenceIsUsedOnceThenSealingStops() {
        Sealer sealer = new Sealer(Vectors.KEYS.key(Direction.CLIENT_TO_SERVER), SecurityMode.ENCRYPTED, -1L);
        seal(sealer, new byte[4]);
        assertEquals(Status.ESHUTDOWN, assertThrows(SequenceExhaustedException.class, () -> seal(sealer, new byte[4])).status());
    }

    @Test
    void aSealedFrameIsNotSealedTwice() {
        Sealer sealer = new Sealer(Vectors.KEYS.key(Direction.CLIENT_TO_SERVER), SecurityMode.ENCRYPTED, 1);
        seal(sealer, new byte[4]);
        assertThrows(EncodingException.class, () -> sealer.seal(frame));
    }

    @Test
    void handshakeProvesBothSidesAndGivesThemTheSameKeys() {
        MemorySegment buffer = MemorySegment.ofArray(new byte[512]);
        Authenticate authenticate = new Authenticate().encode(buffer, 0, 256, MessageType.AUTHENTICATE).version(1)
                .maxDatagram(1408).securityMode(SecurityMode.ENCRYPTED).clientId(7)
                .putClientNonce(Vectors.bytes(1, 16)).putCookie(Vectors.bytes(2, 32));
        Handshake.sign(Vectors.PSK, authenticate);
        Handshake.verify(Vectors.PSK, authenticate);
        Accept accept = new Accept().encode(buffer, 256, 256, MessageType.ACCEPT).version(1).sessionId(99)
                .securityMode(SecurityMode.ENCRYPTED).putServerNonce(Vectors.bytes(3, 16));
        Handshake.sign(Vectors.PSK, authenticate, accept);
        Handshake.verify(Vectors.PSK, authenticate, accept);
        byte[] sealed = seal(Handshake.keys(Vectors.PSK, authenticate, accept)
                .sealer(Direction.CLIENT_TO_SERVER, SecurityMode.ENCRYPTED), Vectors.bytes(5, 50));
        assertArrayEquals(Vectors.bytes(5, 50), open(Handshake.keys(Vectors.PSK, authenticate, accept)
                .opener(Direction.CLIENT_TO_SERVER, SecurityMode.ENCRYPTED), sealed));

        byte[] otherKey = Vectors.bytes(0x55, 32);
        assertThrows(AuthenticationException.class, () -> Handshake.verify(otherKey, authenticate));
        assertThrows(AuthenticationException.class, () -> Handshake.verify(otherKey, authenticate, accept));
        accept.sessionId(100);
        assertThrows(AuthenticationException.class, () -> Handshake.verify(Vectors.PSK, authenticate, accept));
        authenticate.clientId(8);
        assertThrows(AuthenticationException.class, () -> Handshake.verify(Vectors.PSK, authenticate));
    }

    @Test
    void theCookieVerifiesForTheSameClientInTheCurrentOrPreviousWindowOnly() {
        MemorySegment buffer = MemorySegment.ofArray(new byte[512]);
        byte[] secret = Vectors.bytes(0x70, 32);
        byte[] address = {10, 0, 0, 7, 0x1f, (byte) 0x90};
        Hello hello = new Hello().encode(buffer, 0, 256, MessageType.HELLO).clientId(7)
                .putClientNonce(Vectors.bytes(1, 16));
        byte[] cookie = Handshake.cookie(secret, address, 1000, hello, 1);
        Authenticate authenticate = new Authenticate().encode(buffer, 256, 256, MessageType.AUTHENTICATE)
                .version(1).clientId(7).putClientNonce(Vectors.bytes(1, 16)).putCookie(cookie);
        Handshake.verifyCookie(secret, address, 1000, authenticate);
        Handshake.verifyCookie(secret, address, 1001, authenticate);
        assertThrows(AuthenticationException.class, () -> Handshake.verifyCookie(secret, address, 1002, authenticate));
        byte[] otherAddress = {10, 0, 0, 8, 0x1f, (byte) 0x90};
        assertThrows(AuthenticationException.class, () -> Handshake.verifyCookie(secret, otherAddress, 1000, authenticate));
        authenticate.clientId(8);
        assertThrows(AuthenticationException.class, () -> Handshake.verifyCookie(secret, address, 1000, authenticate));
    }
}

package io.coems.nvsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.coems.nvsp.crypto.Direction;
import io.coems.nvsp.crypto.Handshake;
import io.coems.nvsp.crypto.Hkdf;
import io.coems.nvsp.crypto.SessionKeys;
import io.coems.nvsp.frame.FrameHeader;
import io.coems.nvsp.message.Accept;
import io.coems.nvsp.message.Authenticate;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;

/**
 * The golden vectors of {@code golden-vectors.txt}: every datagram decodes to its stated
 * meaning, and the encoders reproduce it byte for byte; the key-derivation vector states the
 * session keys the handshake vectors derive, which protect the protected vectors. Run with
 * {@code -Dnvsp.golden.write=<path>} to write the file from the encoders instead.
 */
class GoldenVectorsTest {
    private static final String RESOURCE = "/golden-vectors.txt";
    private static final String KDF = "kdf-";
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void encodersReproduceEveryVectorAndEveryVectorDecodesToItsMeaning() throws IOException {
        Map<String, String[]> expected = read();
        Map<String, byte[]> encoded = encodeAll();
        String target = System.getProperty("nvsp.golden.write");
        if (target != null) {
            write(Path.of(target), encoded);
            return;
        }
        assertEquals(encoded.keySet(), expected.keySet());
        for (Map.Entry<String, byte[]> vector : encoded.entrySet()) {
            String[] meaningAndHex = expected.get(vector.getKey());
            assertEquals(meaningAndHex[1], HEX.formatHex(vector.getValue()), vector.getKey() + " re-encoded");
            assertEquals(meaningAndHex[0], meaning(HEX.parseHex(meaningAndHex[1])), vector.getKey() + " decoded");
        }
    }

    @Test
    void theKeyDerivationVectorIsHkdfOfTheHandshakeVectors() throws IOException {
        assumeTrue(System.getProperty("nvsp.golden.write") == null, "writing the vectors");
        Map<String, String> stated = readKeyDerivation();
        assertEquals(Vectors.keyDerivation(), stated);
        Map<String, String[]> datagrams = read();
        MemorySegment authenticateDatagram = MemorySegment.ofArray(HEX.parseHex(datagrams.get("authenticate")[1]));
        MemorySegment acceptDatagram = MemorySegment.ofArray(HEX.parseHex(datagrams.get("accept")[1]));
        Authenticate authenticate = new Authenticate().wrap(authenticateDatagram, FrameHeader.LENGTH,
                (int) authenticateDatagram.byteSize() - FrameHeader.LENGTH);
        Accept accept = new Accept().wrap(acceptDatagram, FrameHeader.LENGTH,
                (int) acceptDatagram.byteSize() - FrameHeader.LENGTH);
        Handshake.verify(Vectors.PSK, authenticate, accept);
        SessionKeys keys = Handshake.keys(Vectors.PSK, authenticate, accept);
        byte[] prk = HEX.parseHex(stated.get("prk"));
        for (Direction direction : Direction.values()) {
            String name = direction == Direction.CLIENT_TO_SERVER ? "c2s" : "s2c";
            String keyAndPrefix = stated.get(name + "-key") + stated.get(name + "-nonce-prefix");
            assertEquals(keyAndPrefix, HEX.formatHex(Hkdf.expand(prk, HEX.parseHex(stated.get(name + "-info")), 36)),
                    name + ": HKDF-Expand of the stated prk and info");
            assertEquals(keyAndPrefix, HEX.formatHex(keys.key(direction).key().getEncoded())
                    + HEX.formatHex(keys.key(direction).noncePrefix()), name + ": keys of the handshake vectors");
        }
    }

    @Test
    void noTwoProtectedVectorsShareAKeyAndNonceAndBothDirectionsHaveTheirOwnKey() throws IOException {
        Map<String, String> keyAndNonce = new LinkedHashMap<>();
        for (Map.Entry<String, String[]> vector : read().entrySet()) {
            byte[] datagram = HEX.parseHex(vector.getValue()[1]);
            SecurityMode mode = Receiver.sessionMode(datagram);
            if (mode == null) {
                continue;
            }
            FrameHeader frame = new FrameHeader().wrap(MemorySegment.ofArray(datagram), 0, datagram.length);
            Direction direction = Receiver.open(frame, mode);
            String other = keyAndNonce.put(direction + " sequence " + frame.sequence(), vector.getKey());
            assertNull(other, vector.getKey() + " and " + other + " use the same key and GCM nonce");
        }
        assertTrue(keyAndNonce.keySet().stream().anyMatch(k -> k.startsWith(Direction.CLIENT_TO_SERVER.name()))
                && keyAndNonce.keySet().stream().anyMatch(k -> k.startsWith(Direction.SERVER_TO_CLIENT.name())),
                "protected vectors of both directions: " + keyAndNonce);
    }

    private Map<String, byte[]> encodeAll() {
        Map<String, byte[]> encoded = new LinkedHashMap<>();
        for (Map.Entry<String, ToIntFunction<MemorySegment>> vector : new Vectors().all().entrySet()) {
            MemorySegment buffer = MemorySegment.ofArray(new byte[2048]);
            int length = vector.getValue().applyAsInt(buffer);
            encoded.put(vector.getKey(), buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE));
        }
        return encoded;
    }

    private static String meaning(byte[] datagram) {
        return new Receiver().receive(datagram.clone(), Receiver.sessionMode(datagram));
    }

    private void write(Path target, Map<String, byte[]> encoded) throws IOException {
        List<String> lines = new ArrayList<>(List.of(
                "# NVSP version 1 golden test vectors, produced by the nvsp-codec encoders.",
                "# Each vector: name, meaning (frame header | decoded message), hex of the whole datagram.",
                "# Handshake proofs use the pre-shared key 000102...1f.",
                "# Protected datagrams use the session keys the handshake vectors derive (kdf-* lines at",
                "# the end): client-to-server ones (requests) the c2s key from sequence "
                        + Vectors.CLIENT_FIRST_SEQUENCE + ", server-to-client ones",
                "# (responses) the s2c key from sequence " + Vectors.SERVER_FIRST_SEQUENCE
                        + "; nonce = prefix || sequence as 8 bytes little-endian.",
                "# Meaning is after opening. Fragment vectors show the fragment payload: a slice of the",
                "# encoded message.",
                ""));
        for (Map.Entry<String, byte[]> vector : encoded.entrySet()) {
            lines.add("name: " + vector.getKey());
            lines.add("meaning: " + meaning(vector.getValue()));
            lines.add("hex: " + HEX.formatHex(vector.getValue()));
            lines.add("");
        }
        lines.add("# Key derivation (spec 6.3): prk = HKDF-Extract(client-nonce || server-nonce, psk),");
        lines.add("# key || nonce-prefix = HKDF-Expand(prk, info, 36), info = label || session id (8 bytes LE).");
        Vectors.keyDerivation().forEach((field, value) -> lines.add(KDF + field + ": " + value));
        Files.write(target, lines, StandardCharsets.UTF_8);
    }

    private static Map<String, String> readKeyDerivation() throws IOException {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : lines()) {
            if (line.startsWith(KDF)) {
                int colon = line.indexOf(": ");
                fields.put(line.substring(KDF.length(), colon), line.substring(colon + 2));
            }
        }
        return fields;
    }

    private static String[] lines() throws IOException {
        try (InputStream in = GoldenVectorsTest.class.getResourceAsStream(RESOURCE)) {
            return in == null ? new String[0] : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
        }
    }

    private static Map<String, String[]> read() throws IOException {
        Map<String, String[]> vectors = new LinkedHashMap<>();
        String name = null;
        String meaning = null;
        for (String line : lines()) {
            if (line.startsWith("name: ")) {
                name = line.substring(6);
            } else if (line.startsWith("meaning: ")) {
                meaning = line.substring(9);
            } else if (line.startsWith("hex: ")) {
                vectors.put(name, new String[] {meaning, line.substring(5)});
            }
        }
        return vectors;
    }
}

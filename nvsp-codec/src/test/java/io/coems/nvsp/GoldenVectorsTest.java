package io.coems.nvsp;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * meaning, and the encoders reproduce it byte for byte. Run with
 * {@code -Dnvsp.golden.write=<path>} to write the file from the encoders instead.
 */
class GoldenVectorsTest {
    private static final String RESOURCE = "/golden-vectors.txt";
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
                "# Protected datagrams use the traffic key 404142...5f with nonce prefix a0a1a2a3",
                "# (nonce = prefix || sequence as 8 bytes little-endian); meaning is after opening.",
                "# Fragment vectors show the fragment payload: a slice of the encoded message.",
                ""));
        for (Map.Entry<String, byte[]> vector : encoded.entrySet()) {
            lines.add("name: " + vector.getKey());
            lines.add("meaning: " + meaning(vector.getValue()));
            lines.add("hex: " + HEX.formatHex(vector.getValue()));
            lines.add("");
        }
        Files.write(target, lines, StandardCharsets.UTF_8);
    }

    private static Map<String, String[]> read() throws IOException {
        Map<String, String[]> vectors = new LinkedHashMap<>();
        try (InputStream in = GoldenVectorsTest.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return vectors;
            }
            String name = null;
            String meaning = null;
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("name: ")) {
                    name = line.substring(6);
                } else if (line.startsWith("meaning: ")) {
                    meaning = line.substring(9);
                } else if (line.startsWith("hex: ")) {
                    vectors.put(name, new String[] {meaning, line.substring(5)});
                }
            }
        }
        return vectors;
    }
}

package io.coems.cli;

import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonTest {
    @Test
    void writesNestedValuesInOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "vm \"1\"\\\n\t\u0001");
        m.put("size", 10737418240L);
        m.put("ratio", 0.5);
        m.put("ok", true);
        m.put("client", null);
        m.put("list", Arrays.asList(1, "two", null, List.of()));
        m.put("empty", Map.of());
        String json = Json.write(m);
        assertEquals("{\"name\":\"vm \\\"1\\\"\\\\\\n\\t\\u0001\",\"size\":10737418240,\"ratio\":0.5,\"ok\":true,"
                + "\"client\":null,\"list\":[1,\"two\",null,[]],\"empty\":{}}", json);
        assertEquals("vm \"1\"\\\n\t\u0001", JsonParser.parseString(json).getAsJsonObject().get("name").getAsString());
    }

    @Test
    void escapesEverythingBeyondAscii() {
        String json = Json.write(List.of("café \u2028 \uD83D\uDE00"));
        assertEquals("[\"caf\\u00e9 \\u2028 \\ud83d\\ude00\"]", json);
        assertEquals("café \u2028 \uD83D\uDE00", JsonParser.parseString(json).getAsJsonArray().get(0).getAsString());
    }

    @Test
    void refusesWhatJsonCannotHold() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
    }
}

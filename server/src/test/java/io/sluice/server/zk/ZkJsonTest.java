package io.sluice.server.zk;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ZkJsonTest {

    @Test
    void decodesKafkaPartitionState() {
        Map<String, Object> json = ZkJson.decodeObject(
                "{\"controller_epoch\":1,\"leader\":0,\"version\":1,\"leader_epoch\":0,\"isr\":[0, 2]}".getBytes());
        assertEquals(1L, json.get("controller_epoch"));
        assertEquals(List.of(0L, 2L), json.get("isr"));
        assertEquals(List.of("controller_epoch", "leader", "version", "leader_epoch", "isr"), List.copyOf(json.keySet()));
    }

    @Test
    void roundTripsEveryType() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("s", "a \"quoted\" \\ back\nslash \u0001 é");
        value.put("n", -42L);
        value.put("d", 1.5);
        value.put("t", true);
        value.put("f", false);
        value.put("z", null);
        value.put("list", Arrays.asList(1L, "two", null, List.of(), Map.of()));
        value.put("obj", Map.of("k", "v"));
        String text = ZkJson.encodeToString(value);
        assertEquals(value, ZkJson.decode(text));
    }

    @Test
    void encodesCompactlyInInsertionOrder() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("version", 1);
        value.put("config", Map.of());
        assertEquals("{\"version\":1,\"config\":{}}", ZkJson.encodeToString(value));
    }

    @Test
    void toleratesWhitespaceAndUnicodeEscapes() {
        assertEquals(Map.of("a", List.of("é", 1L)), ZkJson.decode(" { \"a\" : [ \"\\u00e9\" , 1 ] } "));
        assertNull(ZkJson.decode("null"));
    }

    @Test
    void rejectsMalformedInput() {
        for (String bad : List.of("", "{", "{\"a\":}", "[1,]", "{\"a\":1}x", "\"unterminated", "tru", "{a:1}",
                "[1 2]", "\"bad \\q escape\"", "-", "[".repeat(100) + "]".repeat(100))) {
            assertThrows(IllegalArgumentException.class, () -> ZkJson.decode(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> ZkJson.decodeObject("[1]".getBytes()));
    }
}

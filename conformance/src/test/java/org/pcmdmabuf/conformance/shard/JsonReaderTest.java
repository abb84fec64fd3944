package org.pcmdmabuf.conformance.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pcmdmabuf.script.Json;

/** What pcmsim writes with {@link Json}, read back as it was. */
class JsonReaderTest {
    @Test
    void readsBackWhatJsonWrites() {
        String s = "tab\t, quote \", backslash \\, newline\n, control \u0001, é";
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("s", s);
        expected.put("n", 42L);
        expected.put("neg", -7L);
        expected.put("d", 80.4);
        expected.put("t", true);
        expected.put("f", false);
        expected.put("null", null);
        expected.put("list", List.of("a", 1L));
        expected.put("empty", List.of());
        expected.put("object", Map.of());
        String text = "{\"s\": " + Json.string(s) + ", \"n\": 42, \"neg\": -7, \"d\": " + Json.decimal(80.4)
                + ", \"t\": true, \"f\": false, \"null\": null, \"list\": " + Json.value(List.of("a", 1))
                + ", \"empty\": [], \"object\": {}}";
        assertEquals(expected, JsonReader.parse(text));
    }

    @Test
    void malformedTextIsRefusedNamingWhere() {
        for (String bad : Arrays.asList("", "{", "{\"a\" 1}", "[1,]", "\"open", "{\"a\": 1, \"a\": 2}", "nul", "1 2",
                "{\"a\": \"\\x\"}")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JsonReader.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("not pcmsim's JSON at offset "), e.getMessage());
        }
    }
}

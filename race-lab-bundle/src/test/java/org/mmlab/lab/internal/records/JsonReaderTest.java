package org.mmlab.lab.internal.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.Json;

class JsonReaderTest {

    @Test
    void readsWhatJsonWrites() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "run");
        m.put("index", 7L);
        m.put("ms", 12.5);
        m.put("seed", -9_223_372_036_854_775_807L);
        m.put("reports", List.of("list_del corruption, \"quoted\"\n\ttabbed \\ é 🎈 \u0001"));
        m.put("failure", null);
        m.put("reproduced", true);
        m.put("nested", Map.of("a", List.of()));
        assertThat(JsonReader.read(Json.write(m))).isEqualTo(m);
    }

    @Test
    void readsNumbersAndEscapesAsRfc8259Has() {
        assertThat(JsonReader.read(" [1e3, -0.5, 0, \"\\u00e9\\/\"] ")).isEqualTo(Arrays.asList(1000.0, -0.5, 0L, "é/"));
        assertThat(JsonReader.read("12345678901234567890")).isEqualTo(1.2345678901234567e19);
    }

    @Test
    void whatIsNotJsonIsRefusedWithWhere() {
        assertThatIllegalArgumentException().isThrownBy(() -> JsonReader.read("{\"a\":1,}"))
                .withMessage("at character 8: a name in quotes expected");
        assertThatIllegalArgumentException().isThrownBy(() -> JsonReader.read("run 1 (pct --seed 1): clean"))
                .withMessage("at character 1: 'r' where a value should be");
        assertThatIllegalArgumentException().isThrownBy(() -> JsonReader.read("{} {}"))
                .withMessage("at character 4: text after the value");
        assertThatIllegalArgumentException().isThrownBy(() -> JsonReader.read("[01]"))
                .withMessage("at character 2: '01' is not a number");
        assertThatIllegalArgumentException().isThrownBy(() -> JsonReader.read("\"abc"))
                .withMessage("at character 5: the string does not end");
        assertThatIllegalArgumentException().isThrownBy(() -> JsonReader.read(""))
                .withMessage("at character 1: a value expected, the text ended");
        assertThatIllegalArgumentException().isThrownBy(() -> JsonReader.read("[".repeat(100_000)))
                .withMessage("at character 65: nested deeper than 64");
    }
}

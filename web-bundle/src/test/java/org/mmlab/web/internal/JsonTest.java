package org.mmlab.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The lab's views as JSON: records, maps, lists and arrays as JSON has them, strings escaped. */
class JsonTest {

    enum Kind { FREE, USER }

    record Block(int pfn, Kind kind, List<Integer> pages, Map<String, Integer> balloons, boolean broken) {}

    @Test
    void aRecordIsAnObjectOfItsComponentsInOrder() {
        Block b = new Block(512, Kind.USER, List.of(1, 2), Map.of("virtio-balloon host 0", 3), false);

        assertThat(Json.write(b)).isEqualTo("{\"pfn\":512,\"kind\":\"USER\",\"pages\":[1,2],"
                + "\"balloons\":{\"virtio-balloon host 0\":3},\"broken\":false}");
    }

    @Test
    void mapsKeepTheirOrderAndArraysAndOptionalsAreWhatTheyHold() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("z", new long[] {1, 2});
        m.put("a", Optional.empty());
        m.put("n", Optional.of(2.5));

        assertThat(Json.write(m)).isEqualTo("{\"z\":[1,2],\"a\":null,\"n\":2.5}");
    }

    @Test
    void stringsAreEscapedAndNumbersJsonCannotSayAreNull() {
        assertThat(Json.write("a \"b\" \\ \n\t\u0001\u2028")).isEqualTo("\"a \\\"b\\\" \\\\ \\n\\t\\u0001\\u2028\"");
        assertThat(Json.write(List.of(Double.NaN, Double.POSITIVE_INFINITY, 1.5f))).isEqualTo("[null,null,1.5]");
        assertThat(Json.write(null)).isEqualTo("null");
    }
}

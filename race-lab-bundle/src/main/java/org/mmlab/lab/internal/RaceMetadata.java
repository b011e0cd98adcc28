package org.mmlab.lab.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the catalogue says of a race (lab:races prints it), apart from how the race runs.
 *
 * @param name        a short name for lab:race, e.g. "unload-during-migration"
 * @param seed        the seed document, e.g. "003" (docs/seeds.md)
 * @param quote       the reviewer's words
 * @param variants    the variants of the design the race knows, by name, with what each is; the one it
 *                    fails under first
 * @param fails       the setup the race fails under (lab:race's defaults; an exploration's, what it explores)
 * @param passes      the setups under which the same schedule is clean, each with how
 * @param threadNames the simulated threads' names, in order (scripts and traces name them)
 * @param conditions  what else the run sets, in a sentence
 * @param script      the scripted schedule, a partial order over THREAD@POINT events
 * @param report      the first line of the report the race produces; empty for an exploration
 */
public record RaceMetadata(String name, String seed, String quote, Map<String, String> variants, Setup fails,
        List<Pass> passes, List<String> threadNames, String conditions, String script, String report) {
    public RaceMetadata {
        variants = Collections.unmodifiableMap(new LinkedHashMap<>(variants));
        passes = List.copyOf(passes);
        threadNames = List.copyOf(threadNames);
    }

    /** Variants in their order: a name, then what it is, for each. */
    static Map<String, String> variants(String... nameThenWhat) {
        Map<String, String> v = new LinkedHashMap<>();
        for (int i = 0; i < nameThenWhat.length; i += 2) {
            v.put(nameThenWhat[i], nameThenWhat[i + 1]);
        }
        return v;
    }
}

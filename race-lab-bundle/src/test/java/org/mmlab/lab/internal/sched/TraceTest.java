package org.mmlab.lab.internal.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class TraceTest {
    /** a a (blocked) a b a, as the scheduler records it. */
    private static Trace sample() {
        Trace t = new Trace();
        t.add("a", "start", 1);
        t.add("a", "lock:x", 1);
        t.blocked("a");
        t.add("a", "lock:x", 2);
        t.add("b", "start", 1);
        t.add("a", "module.gone", 1);
        return t;
    }

    @Test
    void theTextFoldsTheChoicesAsEncodeDoesAndLeavesTheBlocksOut() {
        Trace t = sample();
        assertThat(t.choices()).containsExactly("a", "a", "a", "b", "a");
        assertThat(t.text()).isEqualTo("a*3 b a").isEqualTo(Trace.encode(t.choices()));
        assertThat(new Trace().text()).isEmpty();
    }

    @Test
    void theEventListIsTheStepsEventsWithoutTheBlocks() {
        Trace t = sample();
        List<String> fromSteps = t.steps().stream().filter(s -> !s.blocked()).map(Trace.Step::event).toList();
        assertThat(t.eventList()).containsExactly("a@start#1", "a@lock:x#1", "a@lock:x#2", "b@start#1",
                "a@module.gone#1").isEqualTo(fromSteps);
        assertThat(t.steps()).filteredOn(Trace.Step::blocked).extracting(Trace.Step::event).containsExactly("a@blocked");
        assertThatThrownBy(() -> t.eventList().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void theEventListIsOfTheDecisionsSoFar() {
        Trace t = sample();
        Trace.Events before = t.eventList();
        for (int i = 0; i < 100; i++) { // past the arrays' first size
            t.add("c", "p", i + 1);
        }
        assertThat(before).hasSize(5);
        assertThat(t.eventList()).hasSize(105).endsWith("c@p#100");
    }

    @Test
    void passedReadsThePointsWithoutTheirEvents() {
        Trace.Events e = sample().eventList();
        assertThat(e.passed("a", "module.gone"::equals)).isTrue();
        assertThat(e.passed("b", "module.gone"::equals)).isFalse();
        assertThat(e.passed("a", p -> p.startsWith("lock:"))).isTrue();
        assertThat(e.passed("b", p -> p.startsWith("lock:"))).isFalse();
    }
}

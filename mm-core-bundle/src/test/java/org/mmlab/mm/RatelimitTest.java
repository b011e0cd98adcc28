package org.mmlab.mm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class RatelimitTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final List<String> printed = new ArrayList<>();
    private final Ratelimit rs = new Ratelimit(100, 3, now::get);

    @Test
    void burstMessagesPassThenTheRestOfTheIntervalIsRefused() {
        List<Boolean> allowed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            allowed.add(rs.allow("fill_balloon", printed::add));
        }
        assertThat(allowed).containsExactly(true, true, true, false, false);
        assertThat(printed).isEmpty();
    }

    @Test
    void aNewIntervalFirstSaysHowManyWereSuppressed() {
        for (int i = 0; i < 5; i++) {
            rs.allow("warn_alloc", printed::add);
        }
        now.addAndGet(100);
        assertThat(rs.allow("warn_alloc", printed::add)).isTrue();
        assertThat(printed).containsExactly("warn_alloc: 2 callbacks suppressed");
    }

    @Test
    void anIntervalWithNothingSuppressedSaysNothing() {
        rs.allow("warn_alloc", printed::add);
        now.addAndGet(100);
        assertThat(rs.allow("warn_alloc", printed::add)).isTrue();
        assertThat(printed).isEmpty();
    }
}

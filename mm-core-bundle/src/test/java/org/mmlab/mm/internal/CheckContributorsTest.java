package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.CheckContributor;
import org.mmlab.mm.admin.CheckResult;

/** mm:check runs other bundles' invariants too: their summary lines are printed, any problem fails it. */
class CheckContributorsTest {
    private static CheckContributor contributor(String summary, String problem) {
        return new CheckContributor() {
            @Override
            public String name() {
                return "test";
            }

            @Override
            public void check(Consumer<String> lines, Consumer<String> problems) {
                lines.accept(summary);
                if (problem != null) {
                    problems.accept(problem);
                }
            }
        };
    }

    @Test
    void aContributorsSummaryIsPrintedAndItsProblemFailsTheCheck() {
        GuestMemory g = HandBuiltGuest.boot();
        g.checkContributors.add(contributor("3 things counted", null));
        CheckResult ok = MmCheck.run(g, null);
        assertThat(ok.text()).contains("test: 3 things counted");
        assertThat(ok.ok()).isTrue();

        g.checkContributors.add(contributor("more", "a thing is wrong"));
        CheckResult r = MmCheck.run(g, null);
        assertThat(r.text()).contains("bundle invariant: test: a thing is wrong");
        assertThat(r.verdict()).isEqualTo("mm:check: FAIL bundle invariant: 1");
    }
}

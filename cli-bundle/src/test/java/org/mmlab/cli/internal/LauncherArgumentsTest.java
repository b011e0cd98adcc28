package org.mmlab.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class LauncherArgumentsTest {

    @Test
    void noArgumentsIsTheInteractiveLab() {
        assertThat(LauncherArguments.of(List.of())).isEqualTo(LauncherArguments.NONE);
    }

    @Test
    void dashCTakesTheProgramAsOneArgument() {
        assertThat(LauncherArguments.of(List.of("-c", "mm:meminfo; mm:check")))
                .isEqualTo(new LauncherArguments("mm:meminfo; mm:check", null, null));
    }

    @Test
    void aLoneArgumentIsAScriptFile() {
        assertThat(LauncherArguments.of(List.of("run.gosh"))).isEqualTo(new LauncherArguments(null, "run.gosh", null));
    }

    @Test
    void wrongArgumentsSayWhatIsAllowedInOneLine() {
        for (List<String> wrong : List.of(List.of("-c"), List.of("-c", "mm:meminfo", "mm:check"),
                List.of("--json"), List.of("a.gosh", "b.gosh"))) {
            LauncherArguments parsed = LauncherArguments.of(wrong);
            assertThat(parsed.commands()).as("%s", wrong).isNull();
            assertThat(parsed.script()).as("%s", wrong).isNull();
            assertThat(parsed.error()).as("%s", wrong).endsWith(LauncherArguments.USAGE).doesNotContain("\n");
        }
    }
}

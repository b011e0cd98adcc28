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
                .isEqualTo(new LauncherArguments("mm:meminfo; mm:check", null, null, false));
    }

    @Test
    void aLoneArgumentIsAScriptFile() {
        assertThat(LauncherArguments.of(List.of("run.gosh"))).isEqualTo(new LauncherArguments(null, "run.gosh", null, false));
    }

    @Test
    void wrongArgumentsSayWhatIsAllowedInOneLine() {
        for (List<String> wrong : List.of(List.of("-c"), List.of("-c", "mm:meminfo", "mm:check"),
                List.of("--json"), List.of("a.gosh", "b.gosh"), List.of("-h", "mm:meminfo"),
                List.of(""), List.of(" "))) { // '' was taken for the current directory: "is a directory"
            LauncherArguments parsed = LauncherArguments.of(wrong);
            assertThat(parsed.commands()).as("%s", wrong).isNull();
            assertThat(parsed.script()).as("%s", wrong).isNull();
            assertThat(parsed.error()).as("%s", wrong).endsWith(LauncherArguments.USAGE).doesNotContain("\n");
        }
    }

    @Test
    void helpIsAskedWithHOrHelpAlone() {
        // before, -h was "unknown option -h", and the jar exited 2
        assertThat(LauncherArguments.of(List.of("-h"))).isEqualTo(LauncherArguments.HELP_ASKED);
        assertThat(LauncherArguments.of(List.of("--help"))).isEqualTo(LauncherArguments.HELP_ASKED);
        assertThat(LauncherArguments.HELP).startsWith("usage: java -jar mmlab.jar ").contains(" -h ");
    }
}

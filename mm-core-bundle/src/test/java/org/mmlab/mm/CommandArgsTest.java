package org.mmlab.mm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandArgsTest {

    @TempDir
    Path dir;

    @Test
    void aNumberInRangeIsTaken() {
        assertThat(CommandArgs.number("--runs", " 42 ", 1, 100)).isEqualTo(42);
        assertThat(CommandArgs.number("--seed", "-7", Long.MIN_VALUE, Long.MAX_VALUE)).isEqualTo(-7);
        assertThat(CommandArgs.number("PFN", "0x1f", 0, 100)).isEqualTo(31);
        assertThat(CommandArgs.intNumber("--runs", "2147483647", 1, Integer.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void aNumberThatDoesNotFitIsRefusedNotWrapped() {
        // Gogo made 4294967297 the int 1, and 4294967298 the int 2
        assertThatIllegalArgumentException().isThrownBy(() -> CommandArgs.intNumber("--runs", "4294967297", 1,
                Integer.MAX_VALUE)).withMessage("--runs 4294967297 is out of range: give 1 to 2147483647");
        assertThatIllegalArgumentException().isThrownBy(() -> CommandArgs.number("--seed", "9223372036854775808",
                Long.MIN_VALUE, Long.MAX_VALUE)).withMessage("--seed 9223372036854775808 is out of range: give a whole"
                        + " number of 64 bits");
        assertThatIllegalArgumentException().isThrownBy(() -> CommandArgs.number("--depth", "-1", 1, 100))
                .withMessage("--depth -1 is out of range: give 1 to 100");
    }

    @Test
    void whatIsNoWholeNumberIsRefused() {
        for (String bad : new String[] {"", " ", "abc", "1.5", "1e3", "NaN", "0x", "0x1g", "--1", "٣", "１"}) {
            assertThatIllegalArgumentException().as("'%s'", bad)
                    .isThrownBy(() -> CommandArgs.number("--runs", bad, 1, 100))
                    .withMessage("--runs '" + bad + "' is not a whole number: give 1 to 100");
        }
    }

    @Test
    void aMissingArgumentIsNamed() {
        assertThatIllegalArgumentException().isThrownBy(() -> CommandArgs.number("--runs", null, 1, 100))
                .withMessage("--runs is missing (an unset variable, or null)");
        assertThat(CommandArgs.given("DEV", "0")).isEqualTo("0");
    }

    @Test
    void aFileToWriteIsTakenInADirectoryThatExists() {
        assertThat(CommandArgs.newFile("--json", dir.resolve("runs.jsonl").toString()))
                .isEqualTo(dir.resolve("runs.jsonl"));
        assertThatIllegalArgumentException().isThrownBy(() -> CommandArgs.newFile("--json", dir + "/no/runs.jsonl"))
                .withMessage(dir + "/no/runs.jsonl: there is no directory " + dir + "/no");
        assertThatIllegalArgumentException().isThrownBy(() -> CommandArgs.newFile("--json", dir.toString()))
                .withMessage(dir + " is a directory: give a file in it");
        assertThatIllegalArgumentException().isThrownBy(() -> CommandArgs.newFile("--json", " "))
                .withMessage("--json is empty: give the file to write");
        assertThatIllegalArgumentException().isThrownBy(() -> CommandArgs.newFile("--json", "a\0b"))
                .withMessageStartingWith("'a");
    }
}

package org.mmlab.lab.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmlab.lab.internal.StormArgs.NOT_GIVEN;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.lab.ModulePolicy;

/**
 * lab:storm's options: defaults for those not given, and every bad value refused in one line before
 * anything runs. The fuzz found `--repeat $nosuch` (null) running a whole storm and `--shrink null`
 * failing inside it.
 */
class StormOptionsTest {
    static final List<String> OPTIONS = List.of("--cycles", "--seed", "--drivers", "--ops", "--contract", "--policy",
            "--leak-path", "--check-every", "--replay", "--shrink", "--repeat");

    /** The arguments with only this option given, as this value. */
    static StormArgs with(String option, String value) {
        String[] v = new String[OPTIONS.size()];
        Arrays.fill(v, NOT_GIVEN);
        v[OPTIONS.indexOf(option)] = value;
        return new StormArgs(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10]);
    }

    @Test
    void optionsNotGivenAreTheDefaults() {
        StormOptions o = StormOptions.of(with("--seed", NOT_GIVEN));

        assertThat(o.setup()).isEqualTo(new StormSetup(MigrationContract.MOVABLE_OPS_2025,
                ModulePolicy.NONE, StormSetup.V38, 1, 100));
        assertThat(o.cycles()).isEqualTo(100);
        assertThat(o.drivers()).isEmpty();
        assertThat(o.ops()).containsExactly(StormOp.Kind.STOP, StormOp.Kind.UNINSTALL, StormOp.Kind.UPDATE,
                StormOp.Kind.CONFIG);
        assertThat(o.replay()).isNull();
        assertThat(o.shrink()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"--cycles", "--seed", "--drivers", "--ops", "--contract", "--policy", "--leak-path",
        "--check-every", "--replay", "--shrink", "--repeat"})
    void anUnsetVariableOrNullIsRefusedForEveryOption(String option) {
        assertThatThrownBy(() -> StormOptions.of(with(option, null))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(option + " is missing (an unset variable, or null)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--cycles", "--seed", "--drivers", "--ops", "--contract", "--policy", "--leak-path",
        "--check-every", "--replay", "--shrink", "--repeat"})
    void anEmptyOrBlankValueIsRefusedForEveryOptionInOneLine(String option) {
        for (String empty : List.of("", " ")) {
            assertThatThrownBy(() -> StormOptions.of(with(option, empty)), "%s '%s'", option, empty)
                    .isInstanceOf(IllegalArgumentException.class).message().doesNotContain("\n").isNotBlank();
        }
    }

    @Test
    void hugeNumbersAreOutOfRange() {
        assertThatThrownBy(() -> StormOptions.of(with("--cycles", "1000001"))).hasMessage("--cycles 1000001 is out of"
                + " range: give 1 to 1000000");
        assertThatThrownBy(() -> StormOptions.of(with("--repeat", "99999999999999999999")))
                .hasMessageStartingWith("--repeat 99999999999999999999 is out of range");
    }

    @Test
    void repeatIsOnlyForAReplayOrAShrinkAndTheyTakeNoNewStormsOptions() {
        assertThatThrownBy(() -> StormOptions.of(with("--repeat", "3"))).hasMessage("--repeat is for --replay and"
                + " --shrink: a storm runs its cycles once");
        StormArgs both = new StormArgs(NOT_GIVEN, NOT_GIVEN, NOT_GIVEN, NOT_GIVEN, NOT_GIVEN, NOT_GIVEN, NOT_GIVEN,
                NOT_GIVEN, "stop:virtio", "stop:virtio", NOT_GIVEN);
        assertThatThrownBy(() -> StormOptions.of(both)).hasMessage("give --replay or --shrink, not both");
        StormArgs replayWithCycles = new StormArgs("5", NOT_GIVEN, NOT_GIVEN, NOT_GIVEN, NOT_GIVEN, NOT_GIVEN,
                NOT_GIVEN, NOT_GIVEN, "stop:virtio", NOT_GIVEN, "3");
        assertThatThrownBy(() -> StormOptions.of(replayWithCycles)).hasMessageStartingWith("--cycles, --drivers and"
                + " --ops make a new storm's cycles");
        assertThat(StormOptions.of(with("--replay", "stop:virtio")).replay()).isEqualTo("stop:virtio");
    }
}

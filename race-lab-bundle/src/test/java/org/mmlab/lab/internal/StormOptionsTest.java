package org.mmlab.lab.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmlab.lab.internal.StormArgs.NOT_GIVEN;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmlab.lab.internal.records.Shard;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.lab.ModulePolicy;

/**
 * lab:storm's options: defaults for those not given, and every bad value refused in one line before
 * anything runs. The fuzz found `--repeat $nosuch` (null) running a whole storm and `--shrink null`
 * failing inside it.
 */
class StormOptionsTest {
    static final List<String> OPTIONS = List.of("--cycles", "--seed", "--drivers", "--ops", "--contract", "--policy",
            "--leak-path", "--check-every", "--replay", "--shrink", "--repeat", "--storms", "--shard", "--json");

    /** The arguments with only these options given, each followed by its value. */
    static StormArgs with(String... optionsAndValues) {
        String[] v = new String[OPTIONS.size()];
        Arrays.fill(v, NOT_GIVEN);
        for (int i = 0; i < optionsAndValues.length; i += 2) {
            v[OPTIONS.indexOf(optionsAndValues[i])] = optionsAndValues[i + 1];
        }
        return new StormArgs(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13]);
    }

    @Test
    void optionsNotGivenAreTheDefaults() {
        StormOptions o = StormOptions.of(with("--seed", NOT_GIVEN));

        assertThat(o.setup()).isEqualTo(new StormSetup(MigrationContract.MOVABLE_OPS_2025,
                ModulePolicy.NONE, LeakPathSetting.V38, 1, 100));
        assertThat(o.cycles()).isEqualTo(100);
        assertThat(o.drivers()).isEmpty();
        assertThat(o.ops()).containsExactly(StormOp.Kind.STOP, StormOp.Kind.UNINSTALL, StormOp.Kind.UPDATE,
                StormOp.Kind.CONFIG);
        assertThat(o.replay()).isNull();
        assertThat(o.shrink()).isNull();
        assertThat(o.storms()).isEqualTo(1);
        assertThat(o.shard()).isEqualTo(Shard.ALL);
        assertThat(o.json()).isNull();
    }

    @Test
    void aCampaignsStormsShardAndRecordsAreCheckedBeforeAnythingRuns(@TempDir Path dir) {
        assertThatThrownBy(() -> StormOptions.of(with("--storms", "0"))).hasMessage("--storms 0 is out of range: give 1"
                + " to 100000");
        assertThatThrownBy(() -> StormOptions.of(with("--storms", "many"))).hasMessage("--storms 'many' is not a whole"
                + " number: give 1 to 100000");
        assertThatThrownBy(() -> StormOptions.of(with("--shard", "4/4"))).hasMessage("--shard 4/4: I must be 0 to 3"
                + " (shards are numbered from 0)");
        assertThatThrownBy(() -> StormOptions.of(with("--shard", "1"))).hasMessageStartingWith("--shard '1' is not"
                + " I/N");
        assertThatThrownBy(() -> StormOptions.of(with("--json", dir.toString()))).hasMessage(dir + " is a directory:"
                + " give a file in it");
        assertThatThrownBy(() -> StormOptions.of(with("--json", dir.resolve("no/such.jsonl").toString())))
                .hasMessageEndingWith(": there is no directory " + dir.resolve("no"));
        assertThat(dir.toFile().list()).as("nothing written").isEmpty();
        StormOptions o = StormOptions.of(with("--storms", "8", "--shard", "3/4", "--json", "-"));
        assertThat(o.storms()).isEqualTo(8);
        assertThat(o.shard()).isEqualTo(new Shard(3, 4));
        assertThat(o.json()).isEqualTo("-");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--storms", "--shard", "--json"})
    void aReplayOrAShrinkTakesNoCampaignOptions(String option) {
        String value = option.equals("--shard") ? "0/2" : option.equals("--json") ? "-" : "2";
        assertThatThrownBy(() -> StormOptions.of(with("--replay", "stop:virtio", option, value))).hasMessage("--storms, --shard and --json are a campaign of new"
                        + " storms': a replay or a shrink runs the cycles it is given (leave them out)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--cycles", "--seed", "--drivers", "--ops", "--contract", "--policy", "--leak-path",
        "--check-every", "--replay", "--shrink", "--repeat", "--storms", "--shard", "--json"})
    void anUnsetVariableOrNullIsRefusedForEveryOption(String option) {
        assertThatThrownBy(() -> StormOptions.of(with(option, null))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(option + " is missing (an unset variable, or null)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--cycles", "--seed", "--drivers", "--ops", "--contract", "--policy", "--leak-path",
        "--check-every", "--replay", "--shrink", "--repeat", "--storms", "--shard", "--json"})
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
        StormArgs both = with("--replay", "stop:virtio", "--shrink", "stop:virtio");
        assertThatThrownBy(() -> StormOptions.of(both)).hasMessage("give --replay or --shrink, not both");
        StormArgs replayWithCycles = with("--cycles", "5", "--replay", "stop:virtio", "--repeat", "3");
        assertThatThrownBy(() -> StormOptions.of(replayWithCycles)).hasMessageStartingWith("--cycles, --drivers and"
                + " --ops make a new storm's cycles");
        assertThat(StormOptions.of(with("--replay", "stop:virtio")).replay()).isEqualTo("stop:virtio");
    }
}

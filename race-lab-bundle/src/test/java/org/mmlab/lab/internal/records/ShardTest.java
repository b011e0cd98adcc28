package org.mmlab.lab.internal.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ShardTest {

    @Test
    void nShardsRunEachRunOfTheCampaignExactlyOnce() {
        for (int total : new int[] {0, 1, 7, 200, 201}) {
            for (int n : new int[] {1, 2, 4, 7, 300}) {
                List<Integer> all = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    Shard s = new Shard(i, n);
                    for (int k = 0; k < s.runs(total); k++) {
                        assertThat(s.includes(s.run(k))).isTrue();
                        all.add(s.run(k));
                    }
                }
                all.sort(null);
                assertThat(all).as("%d runs in %d shards", total, n)
                        .isEqualTo(java.util.stream.IntStream.range(0, total).boxed().toList());
            }
        }
    }

    @Test
    void shardIOfNTakesEveryNthRunFromI() {
        Shard s = Shard.parse("1/4");
        assertThat(s.runs(10)).isEqualTo(3);
        assertThat(List.of(s.run(0), s.run(1), s.run(2))).containsExactly(1, 5, 9);
        assertThat(s).hasToString("1/4");
        assertThat(Shard.parse(" 0/1 ")).isEqualTo(Shard.ALL);
    }

    @Test
    void aShardThatIsNotIOfNIsRefusedInOneLine() {
        assertThatIllegalArgumentException().isThrownBy(() -> Shard.parse("4/4"))
                .withMessage("--shard 4/4: I must be 0 to 3 (shards are numbered from 0)");
        assertThatIllegalArgumentException().isThrownBy(() -> Shard.parse("0/0"))
                .withMessage("--shard 0/0: N must be 1 to 100000");
        assertThatIllegalArgumentException().isThrownBy(() -> Shard.parse("0/100001"))
                .withMessage("--shard 0/100001: N must be 1 to 100000");
        for (String bad : new String[] {"", "3", "-1/4", "1/-4", "1/4/5", "a/b", "٣/4", "1 /4", "0/9999999999", "1.0/4"}) {
            assertThatIllegalArgumentException().as("'%s'", bad).isThrownBy(() -> Shard.parse(bad))
                    .withMessage("--shard '" + bad + "' is not I/N: give this shard's index I (0 to N-1) and the number"
                            + " of shards N (1 to 100000), e.g. 0/4");
        }
        assertThatIllegalArgumentException().isThrownBy(() -> Shard.parse(null))
                .withMessage("--shard is missing (an unset variable, or null)");
    }
}

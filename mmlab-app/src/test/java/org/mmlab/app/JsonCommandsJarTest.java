package org.mmlab.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --json} on the commands people script: mm: and balloon: print one JSON document on a line of stdout,
 * the data their text shows; lab:race and lab:explore write one record a run and a summary record, here to the
 * console ({@code --json -}); a flag a command does not have, or an option without its value, is one line with
 * its usage.
 */
class JsonCommandsJarTest {

    @TempDir
    Path dir;

    @Test
    void eachCommandPrintsJsonOnly() throws Exception {
        LabProcess.Run run = LabProcess.scripted(dir, "mmlab.commands=balloon:list --json; lab:race --json - 1;"
                + " lab:explore --json - --runs 3 --strategy random 1; mm:check --json");

        assertThat(run.exit()).as(run.err()).isZero();
        List<String> docs = run.out().lines().toList();
        assertThat(docs).hasSize(1 + 2 + 4 + 1);
        // balloon:list numbers the devices in the order their drivers registered them: any of the four is 0
        assertThat(docs.get(0)).startsWith("{\"contract\":\"2025\",\"nrBalloonPages\":0,").contains(
                "\"leakPath\":null,\"devices\":[{\"dev\":0,", "\"name\":\"virtio-balloon 0\",\"pages\":0,"
                        + "\"isolatedPages\":0,\"driver\":\"virtio-bundle [", "\"name\":\"xen-balloon 0\",");
        String race = "\"campaign\":\"lab:race unload-during-migration --contract 2012 --policy none --variant v7-leak"
                + " --runs 1\"";
        assertThat(docs.get(1)).startsWith("{\"type\":\"run\"," + race + ",\"index\":0,").contains(
                "\"schedule\":\"scripted\"", "\"outcome\":\"reproduced\"", "\"window\":\"opened\"",
                "\"report\":\"BUG: KASAN: use-after-unload in b_dev_info->migratepage at return\"",
                "\"replay\":\"lab:replay unload-during-migration '");
        assertThat(docs.get(2)).startsWith("{\"type\":\"summary\"," + race + ",").contains("\"shard\":\"0/1\",\"runs\":1,"
                + "\"ran\":1,\"outcomes\":{\"reproduced\":1},\"reproduced\":1,", "\"verdict\":\"as lab:races says: ")
                .endsWith(" runs in " + docs.get(2).replaceAll(".* runs in ", ""));
        for (int k = 0; k < 3; k++) {
            assertThat(docs.get(3 + k)).startsWith("{\"type\":\"run\",\"campaign\":\"lab:explore unload-during-migration ")
                    .contains("\"index\":" + k + ",", "\"schedule\":\"random --seed " + (k + 1) + "\"");
        }
        assertThat(docs.get(6)).startsWith("{\"type\":\"summary\",").contains("\"runs\":3,\"ran\":3,",
                "\"windows\":null,");
        assertThat(docs.get(7)).contains("\"ok\":true,\"verdict\":\"mm:check: OK\"}");
    }

    @Test
    void aFlagTheCommandDoesNotHaveIsItsUsage() throws Exception {
        LabProcess.Run run = LabProcess.scripted(dir, "mmlab.commands=mm:meminfo --jsn");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("mmlab: mm:meminfo --jsn: usage: mm:meminfo [--json]\n");
    }

    @Test
    void jsonWithoutItsFileIsTheUsage() throws Exception {
        LabProcess.Run run = LabProcess.scripted(dir, "mmlab.commands=lab:race 1 --json");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("mmlab: lab:race 1 --json: usage: lab:race [--contract CONTRACT] [--policy"
                + " POLICY] [--runs RUNS] [--variant VARIANT] [--json FILE] NAME\n");
    }
}

package org.mmlab.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --json} on the commands people script: each prints one JSON document on a line of stdout, the
 * data its text shows; a flag it does not have is one line with its usage.
 */
class JsonCommandsJarTest {

    @TempDir
    Path dir;

    @Test
    void eachCommandPrintsOneJsonDocument() throws Exception {
        LabProcess.Run run = LabProcess.scripted(dir, "mmlab.commands=balloon:list --json; lab:race --json 1;"
                + " lab:explore --json --runs 3 --strategy random 1; mm:check --json");

        assertThat(run.exit()).as(run.err()).isZero();
        List<String> docs = run.out().lines().toList();
        assertThat(docs).hasSize(4);
        // balloon:list numbers the devices in the order their drivers registered them: any of the four is 0
        assertThat(docs.get(0)).startsWith("{\"contract\":\"2025\",\"nrBalloonPages\":0,").contains(
                "\"leakPath\":null,\"devices\":[{\"dev\":0,", "\"name\":\"virtio-balloon 0\",\"pages\":0,"
                        + "\"isolatedPages\":0,\"driver\":\"virtio-bundle [", "\"name\":\"xen-balloon 0\",");
        assertThat(docs.get(1)).startsWith("{\"what\":\"lab:race ").contains("\"runs\":[{\"race\":", "\"reproduced\":1,",
                "\"verdict\":").endsWith(" runs in " + docs.get(1).replaceAll(".* runs in ", ""));
        assertThat(docs.get(1).split("\\{\"race\":", -1)).hasSize(1 + 1);
        assertThat(docs.get(2)).startsWith("{\"what\":\"lab:explore ").contains("\"windows\":null,");
        assertThat(docs.get(2).split("\\{\"race\":", -1)).hasSize(1 + 3);
        assertThat(docs.get(3)).contains("\"ok\":true,\"verdict\":\"mm:check: OK\"}");
    }

    @Test
    void aFlagTheCommandDoesNotHaveIsItsUsage() throws Exception {
        LabProcess.Run run = LabProcess.scripted(dir, "mmlab.commands=mm:meminfo --jsn");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("mmlab: mm:meminfo --jsn: usage: mm:meminfo [--json]\n");
    }
}

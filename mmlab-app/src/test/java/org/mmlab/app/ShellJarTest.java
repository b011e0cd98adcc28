package org.mmlab.app;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab's shell as a user meets it in the exported lab (issue 10 item 7): a failure is one line on
 * stderr with what to do, never a Java class name or a Gogo internal; odd programs and script files
 * are named for what they are; {@code exit} ends scripts and the interactive lab with its code.
 */
class ShellJarTest {

    @TempDir
    Path dir;

    @Test
    void aWrongNumberOfArgumentsShowsTheCommandsUsageLine() throws Exception {
        LabProcess.Run run = LabProcess.scripted(dir, "mmlab.commands=mm:page 0 1");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("mmlab: mm:page 0 1: usage: mm:page PFN\n");
    }

    @Test
    void anEmptyProgramSaysThereIsNothingToRun() throws Exception {
        LabProcess.Run run = LabProcess.scripted(dir, "mmlab.commands=");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("mmlab: -c '': no statements to run (give commands, separated by ';' or"
                + " newlines)\n");
    }

    @Test
    void aScriptWithAUtf8ByteOrderMarkRuns() throws Exception {
        Path script = dir.resolve("bom.gosh");
        Files.write(script, ("\ufeffmm:check\n").getBytes(UTF_8));

        LabProcess.Run run = LabProcess.scripted(dir, "mmlab.script=" + script);

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("mm:check: OK");
    }

    @Test
    void aLatin1ScriptIsRefusedNamingTheLineAndTheByte() throws Exception {
        Path script = dir.resolve("latin1.gosh");
        Files.write(script, "mm:check\necho café\n".getBytes(ISO_8859_1));

        LabProcess.Run run = LabProcess.scripted(dir, "mmlab.script=" + script);

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).doesNotContain("mm:check");
        assertThat(run.err()).isEqualTo("mmlab: " + script + ": line 2 is not UTF-8 (byte 0xe9): save the script as"
                + " UTF-8\n");
    }

    @Test
    void aDirectoryOrDevNullIsNoScript() throws Exception {
        LabProcess.Run directory = LabProcess.scripted(dir, "mmlab.script=" + dir);
        LabProcess.Run devNull = LabProcess.scripted(dir, "mmlab.script=/dev/null");

        assertThat(directory.exit()).isEqualTo(1);
        assertThat(directory.err()).isEqualTo("mmlab: " + dir + ": is a directory: give a script file\n");
        assertThat(devNull.exit()).isEqualTo(1);
        assertThat(devNull.err()).startsWith("mmlab: /dev/null: no statements to run");
    }

    @Test
    void exitEndsAScriptWithItsCode() throws Exception {
        LabProcess.Run run = LabProcess.scripted(dir, "mmlab.commands=mm:meminfo; exit 3; mm:check");

        assertThat(run.exit()).as(run.err()).isEqualTo(3);
        assertThat(run.out()).contains("MemTotal:").doesNotContain("mm:check");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void refreshWithoutArgumentsRefreshesWhatWasUpdated() throws Exception {
        LabProcess.Run run = LabProcess.scripted(dir, "mmlab.commands=refresh");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("nothing to refresh: no bundle was updated or uninstalled");
    }

    @Test
    void theInteractiveLabSaysWhyALineFailedInOneLineAndGoesOnUntilExit() throws Exception {
        LabProcess.Run run = LabProcess.interactive(dir, "mm:page 0 1\nmm:check\nexit 4\nmm:meminfo\n");

        assertThat(run.exit()).isEqualTo(4);
        assertThat(run.err()).isEqualTo("mmlab: usage: mm:page PFN\n");
        assertThat(run.out()).contains("mm:check: OK").doesNotContain("MemTotal");
    }

    @Test
    void theInteractiveLabEndsWithZeroAtTheEndOfInput() throws Exception {
        LabProcess.Run run = LabProcess.interactive(dir, "exit\n");
        LabProcess.Run eof = LabProcess.interactive(dir, "mm:check\n");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(eof.exit()).as(eof.err()).isZero();
        assertThat(eof.out()).contains("mm:check: OK");
    }
}

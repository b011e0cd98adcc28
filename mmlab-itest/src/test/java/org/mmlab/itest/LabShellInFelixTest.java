package org.mmlab.itest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mmlab.cli.LabShell;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * The lab's shell in a running lab: issue 10 item 7's reproducers each get one line that says what
 * is allowed (the command's usage line for a wrong number or kind of arguments), and exit ends a
 * session with its code.
 */
@ExtendWith(ServiceExtension.class)
class LabShellInFelixTest {

    @InjectService(timeout = 30_000)
    LabShell shell;

    final ByteArrayOutputStream output = new ByteArrayOutputStream();
    LabShell.Session session;

    @BeforeEach
    void openASession() {
        session = shell.open(new ByteArrayInputStream(new byte[0]), new PrintStream(output, true, UTF_8),
                new PrintStream(output, true, UTF_8));
    }

    @AfterEach
    void closeIt() {
        session.close();
    }

    @ParameterizedTest(name = "{0}  =>  {1}")
    @CsvSource(delimiterString = " => ", quoteCharacter = '"', value = {
        "mm:page 0 1 => usage: mm:page PFN",
        "mm:alloc => usage: mm:alloc ORDER [GFP]",
        "balloon:list extra => usage: balloon:list [--json]",
        "lab:race 1 --runs 4294967297 => --runs 4294967297 is out of range: give 1 to 2147483647",
        "lab:explore --depth 4294967298 1 => --depth 4294967298 is out of range: give 1 to 100",
        "lab:explore --depth 2147483647 1 => --depth 2147483647 is out of range: give 1 to 100",
        "lab:explore --shard 4/4 1 => --shard 4/4: I must be 0 to 3 (shards are numbered from 0)",
        "lab:explore --shard 1/4 1 => --shard 1/4 with --strategy pct needs --steps K, the same in every shard (each"
                + " lab would estimate its own k; a run without --shard shows it as --steps K)",
        "lab:explore --strategy random --steps 26 1 => --steps is PCT's: give it with --strategy pct, or leave it out",
        "lab:race 1 --json '' => --json is empty: give the file to write",
        "lab:storm --shard 2/2 => --shard 2/2: I must be 0 to 1 (shards are numbered from 0)",
        "lab:storm --storms 0 => --storms 0 is out of range: give 1 to 100000",
        "lab:storm --json '' => --json is empty: give the file to write",
        "lab:merge => no files: give the files lab:race, lab:explore or lab:storm --json FILE wrote",
        "mm:workload --processes 4294967297 fragment => --processes 4294967297 is out of range: give 1 to 4096",
        "mm:page $unset => PFN is missing (an unset variable, or null)",
        "lab:race 1 --runs $unset => --runs is missing (an unset variable, or null)",
        "virtio:host [1 2] [1 2] [1 2] => usage: virtio:host DEV [normal|no-ack|ack-delay|target [ARG...]]",
        "(new java.lang.Thread) sleep abc => wrong number or kind of arguments (help NAME shows a command's)",
        "mm:page 0 > => syntax error: Expected file name for redirection",
        "exit 256 => exit code '256': give 0 to 255",
        "refresh nosuch => no bundle 'nosuch': give bundle ids or symbolic names (see lb)",
        "mm:nosuch => command not found: mm:nosuch",
    })
    void aBadStatementFailsWithOneLineThatSaysWhatIsAllowed(String statement, String message) {
        assertThat(session.run(statement)).contains(message);
        assertThat(session.exitCode()).isEmpty();
    }

    @Test
    void exitEndsTheSessionWithItsCode() {
        assertThat(session.run("mm:meminfo")).isEmpty();
        assertThat(session.run("exit 3")).isEmpty();

        assertThat(session.exitCode()).hasValue(3);
        assertThat(session.run("mm:meminfo")).contains("the session has ended: exit ran");
    }

    @Test
    void exitWithoutACodeEndsWithZeroEvenInsideAClosure() {
        assertThat(session.run("each [1 2 3] { exit }")).isEmpty();

        assertThat(session.exitCode()).hasValue(0);
    }
}

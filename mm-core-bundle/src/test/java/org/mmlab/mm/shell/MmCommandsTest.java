package org.mmlab.mm.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.mmlab.mm.shell.BootedCore.boot;
import static org.mmlab.mm.shell.BootedCore.run;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmlab.mm.internal.MmCore;

/** The mm: commands' arguments, on a booted mm-core outside the framework: what they refuse, and that it changes nothing. */
class MmCommandsTest {
    @TempDir
    Path dir;

    private MmCore core;
    private MmCommands cmd;
    private AllocCommands alloc;

    @BeforeEach
    void bootASmallGuest() throws Exception {
        core = boot("64M");
        cmd = BootedCore.mmCommands(BootedCore.running(core));
        alloc = BootedCore.allocCommands(BootedCore.running(core), core);
    }

    @AfterEach
    void shutDown() {
        BootedCore.shutDown(core);
    }

    @Test
    void kpageflagsRefusesToReplaceAFileWithoutForce() throws Exception {
        Path file = Files.writeString(dir.resolve("kpageflags"), "keep me");

        assertThatIllegalArgumentException().isThrownBy(() -> cmd.kpageflags(false, file.toString()))
                .withMessage(file + " exists: give --force to replace it, or another file");
        assertThat(Files.readString(file)).isEqualTo("keep me");

        assertThat(run(() -> write(true, file))).startsWith("wrote 16384 pages (131072 bytes) to " + file);
        assertThat(Files.size(file)).isEqualTo(131_072);
    }

    @Test
    void kpageflagsRefusesADirectoryAndAnEmptyName() {
        assertThatIllegalArgumentException().isThrownBy(() -> cmd.kpageflags(false, dir.toString()))
                .withMessage(dir + " is a directory: give a file in it");
        assertThatIllegalArgumentException().isThrownBy(() -> cmd.kpageflags(false, " "))
                .withMessage("FILE is empty: give the file to write");
        assertThatIllegalArgumentException().isThrownBy(() -> cmd.kpageflags(false, null))
                .withMessage("FILE is missing (an unset variable, or null)");
    }

    @Test
    void aWorkloadNumberThatDoesNotFitIsRefusedNotWrapped() {
        // Gogo narrowed 4294967297 to the int 1: one process
        assertThatIllegalArgumentException()
                .isThrownBy(() -> cmd.workload("1", "4294967297", "8192", "2", "5", "fragment"))
                .withMessage("--processes 4294967297 is out of range: give 1 to 4096");
        assertThat(core.workload().status()).contains("never started");
    }

    @Test
    void anUnsetArgumentIsNamed() {
        assertThatIllegalArgumentException().isThrownBy(() -> cmd.page(null))
                .withMessage("PFN is missing (an unset variable, or null)");
        assertThatIllegalArgumentException().isThrownBy(() -> cmd.workload("1", "64", "8192", "2", "5", null))
                .withMessage("ACTION is missing (an unset variable, or null)");
    }

    @Test
    void digitsOfOtherScriptsAreNoNumber() {
        // Integer.parseInt("٣") is 3
        assertThatIllegalArgumentException().isThrownBy(() -> alloc.alloc("٣")).withMessageContaining("is not an order");
        assertThatIllegalArgumentException().isThrownBy(() -> cmd.page("٣")).withMessageContaining("is not a PFN");
    }

    private void write(boolean force, Path file) {
        try {
            cmd.kpageflags(force, file.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

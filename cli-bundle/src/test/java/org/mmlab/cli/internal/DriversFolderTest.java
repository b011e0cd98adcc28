package org.mmlab.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The drivers folder is made when missing, and a folder that cannot be made is said in one line. */
class DriversFolderTest {

    @TempDir
    Path dir;

    @Test
    void aMissingFolderIsMadeAndNamed() {
        Path drivers = dir.resolve("lab/drivers");

        assertThat(DriversFolder.make(drivers)).startsWith("the drivers folder: " + drivers + "   (");
        assertThat(drivers).isDirectory();
    }

    @Test
    void aFileInTheWayIsSaidInOneLineAndLeftAlone() throws Exception {
        Path drivers = Files.writeString(dir.resolve("drivers"), "a file");

        assertThat(DriversFolder.make(drivers))
                .isEqualTo("no drivers folder: " + drivers + " is a file; choose a folder with -Dfelix.fileinstall.dir=DIR");
        assertThat(Files.readString(drivers)).isEqualTo("a file");
    }
}

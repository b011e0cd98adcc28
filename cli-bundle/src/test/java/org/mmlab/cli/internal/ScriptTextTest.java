package org.mmlab.cli.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_16;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScriptTextTest {

    @TempDir
    Path dir;

    @Test
    void aUtf8ScriptIsItsText() throws Exception {
        assertThat(ScriptText.read(Files.writeString(dir.resolve("s.gosh"), "echo 日本\nmm:check\n", UTF_8)))
                .isEqualTo("echo 日本\nmm:check\n");
    }

    @Test
    void aUtf8ByteOrderMarkIsDropped() {
        byte[] bom = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, 'm', 'm', ':', 'c', 'h', 'e', 'c', 'k'};

        assertThat(ScriptText.decode(bom)).isEqualTo("mm:check");
    }

    @Test
    void utf16IsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> ScriptText.decode("mm:check".getBytes(UTF_16)))
                .withMessage("is UTF-16 text: save it as UTF-8");
    }

    @Test
    void latin1BytesAreRefusedWithTheirLine() {
        assertThatIllegalArgumentException().isThrownBy(() -> ScriptText.decode("mm:check\necho café\n".getBytes(ISO_8859_1)))
                .withMessage("line 2 is not UTF-8 (byte 0xe9): save the script as UTF-8");
    }

    @Test
    void aDirectoryIsNoScript() {
        assertThatIllegalArgumentException().isThrownBy(() -> ScriptText.read(dir))
                .withMessage("is a directory: give a script file");
    }

    @Test
    void aMissingFileIsSaidSo() {
        assertThatIllegalArgumentException().isThrownBy(() -> ScriptText.read(dir.resolve("none.gosh")))
                .withMessage("no such file");
    }

    @Test
    void anEmptyFileIsAnEmptyScript() throws Exception {
        assertThat(ScriptText.read(Files.write(dir.resolve("empty.gosh"), new byte[0]))).isEmpty();
    }
}

package org.mmlab.image;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One command run to its end with no input: its exit code, stdout and stderr. */
record Command(int exit, String out, String err) {

    static Command run(Path dir, List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("did not end within " + timeoutSeconds + " s: " + command);
        }
        return new Command(process.exitValue(), Files.readString(out, UTF_8), Files.readString(err, UTF_8));
    }
}

package org.mmlab.lab.internal.records;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;

import org.mmlab.mm.CommandArgs;
import org.mmlab.mm.Json;

/**
 * Where a command's records go with {@code --json FILE}: one JSON object a line (JSON Lines), to the file,
 * or to the console for {@code -} (instead of the command's text). Each line is flushed as it is written, so
 * a campaign that is killed (a batch engine's time limit) keeps every run it finished.
 */
public final class RecordSink implements AutoCloseable {
    /** The --json value that means the console. */
    public static final String CONSOLE = "-";

    private final Path path;
    private final Writer out;

    private RecordSink(Path path, Writer out) {
        this.path = path;
        this.out = out;
    }

    /**
     * The file or the console, refused in one line (empty, a directory, in a directory that does not exist)
     * before it is opened. Call it once every other argument has been checked: it replaces the file.
     */
    public static RecordSink open(String target) {
        if (CONSOLE.equals(target)) {
            return new RecordSink(null, null);
        }
        Path path = CommandArgs.newFile("--json", target);
        try {
            return new RecordSink(path, Files.newBufferedWriter(path, UTF_8));
        } catch (IOException e) { // not allowed to, a read-only file system: the JVM's exception names only the file
            throw new IllegalArgumentException("--json " + path + ": cannot write it (" + e.getClass().getSimpleName()
                    .replaceAll("Exception$", "").replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase() + ")");
        }
    }

    /** Whether the records go to the console, in place of the command's text. */
    public boolean console() {
        return path == null;
    }

    /** Writes {@code record} (a record, a map) as one line. */
    public void write(Object record) {
        String line = Json.write(record);
        if (console()) {
            System.out.println(line);
            return;
        }
        try {
            out.write(line);
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the records to " + path + ": " + e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        if (out != null) {
            out.close();
        }
    }
}

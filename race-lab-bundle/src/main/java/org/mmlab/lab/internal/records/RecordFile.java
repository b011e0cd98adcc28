package org.mmlab.lab.internal.records;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.mmlab.mm.CommandArgs;

/**
 * The records of one file that {@code --json FILE} wrote, as lab:merge needs them; anything else (no file, a
 * directory, not UTF-8, empty, a line that is not JSON or not a lab record) is refused in one line.
 */
record RecordFile(String name, List<Run> runs, List<Summary> summaries) {
    /** What lab:merge reads, as its errors say. */
    static final String WRITERS = "lab:race, lab:explore or lab:storm";
    static final String GIVE = "give the files " + WRITERS + " --json FILE wrote";

    /** What lab:merge reads of a run record. */
    record Run(String file, String campaign, int index, String race, String setup, String schedule, String outcome,
            String signature, String replay) {
        /** Runs with equal keys ran the same schedule: a seeded one of the same race and setup, or the same run. */
        String key() {
            return schedule.equals(Schedule.SCRIPTED.toString()) ? campaign + " #" + index
                    : race + " " + setup + " " + schedule;
        }
    }

    /** What lab:merge reads of a summary record. */
    record Summary(String file, String campaign, Shard shard, int runs) {}

    static RecordFile read(String file) {
        String name = CommandArgs.given("FILE", file);
        if (name.isBlank()) {
            throw new IllegalArgumentException("FILE is empty: " + GIVE);
        }
        Path path;
        try {
            path = Path.of(name);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("'" + name + "' is not a file name: " + e.getReason());
        }
        if (Files.isDirectory(path)) {
            throw new IllegalArgumentException(name + " is a directory: " + GIVE);
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("no file " + name);
        }
        List<Run> runs = new ArrayList<>();
        List<Summary> summaries = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(path, UTF_8)) {
            int n = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                n++;
                if (!line.isBlank()) {
                    record(name, n, line, runs, summaries);
                }
            }
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(name + " is not UTF-8 text: not a record file");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + name + ": " + e.getMessage());
        }
        if (runs.isEmpty() && summaries.isEmpty()) {
            throw new IllegalArgumentException(name + " is empty: it holds no records");
        }
        return new RecordFile(name, runs, summaries);
    }

    private static void record(String name, int n, String line, List<Run> runs, List<Summary> summaries) {
        Object value;
        try {
            value = JsonReader.read(line);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " line " + n + " is not JSON: " + e.getMessage());
        }
        String where = name + " line " + n;
        if (!(value instanceof Map<?, ?> r) || !("run".equals(r.get("type")) || "summary".equals(r.get("type")))) {
            throw new IllegalArgumentException(where + " is not a lab record: no \"type\" run or summary");
        }
        if (r.get("type").equals("run")) {
            runs.add(new Run(name, text(r, "campaign", where), whole(r, "index", where), text(r, "race", where),
                    text(r, "setup", where), text(r, "schedule", where), text(r, "outcome", where),
                    r.get("signature") instanceof String s ? s : null, text(r, "replay", where)));
        } else {
            Shard shard;
            try {
                shard = Shard.parse(text(r, "shard", where));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage());
            }
            summaries.add(new Summary(name, text(r, "campaign", where), shard, whole(r, "runs", where)));
        }
    }

    private static String text(Map<?, ?> r, String field, String where) {
        if (r.get(field) instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException(where + " has no \"" + field + "\" text: not a record " + WRITERS
                + " writes");
    }

    private static int whole(Map<?, ?> r, String field, String where) {
        if (r.get(field) instanceof Long l && l >= 0 && l <= Integer.MAX_VALUE) {
            return l.intValue();
        }
        throw new IllegalArgumentException(where + " has no \"" + field + "\" count: not a record " + WRITERS
                + " writes");
    }
}

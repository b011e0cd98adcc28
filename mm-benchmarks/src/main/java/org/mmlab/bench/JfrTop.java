package org.mmlab.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the CPU samples of a Flight Recorder file went, counting only the samples whose stack
 * holds a given method (for CompactionBench: {@code Compaction.compactMemory}, which leaves out the
 * fragment before and the checks after each measured run): the top methods by self samples (top
 * frame) and by inclusive samples (anywhere on the stack between the top and that method, so the
 * harness's frames below it are left out), as percentages of those samples.
 *
 * <p>Usage: {@code java -cp mm-benchmarks/target/benchmarks.jar org.mmlab.bench.JfrTop FILE-or-DIR
 * [METHOD-SUBSTRING] [N]}; a directory is searched for *.jfr files. Default method
 * {@code Compaction.compactMemory}, N 25. Caveat: JFR drops the samples it cannot walk (a thread
 * inside a copy stub or native code), so time spent copying memory is under-represented.
 */
public final class JfrTop {
    private JfrTop() {
    }

    public static void main(String[] args) throws IOException {
        Path in = Path.of(args[0]);
        String filter = args.length > 1 ? args[1] : "Compaction.compactMemory";
        int top = args.length > 2 ? Integer.parseInt(args[2]) : 25;
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(in)) {
            try (Stream<Path> s = Files.walk(in)) {
                s.filter(p -> p.toString().endsWith(".jfr")).forEach(files::add);
            }
        } else {
            files.add(in);
        }
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        long all = 0;
        long kept = 0;
        for (Path f : files) {
            for (RecordedEvent e : RecordingFile.readAllEvents(f)) {
                if (!"jdk.ExecutionSample".equals(e.getEventType().getName()) || e.getStackTrace() == null) {
                    continue;
                }
                all++;
                List<String> names = new ArrayList<>();
                for (RecordedFrame fr : e.getStackTrace().getFrames()) {
                    String type = fr.getMethod().getType().getName();
                    names.add(type.substring(type.lastIndexOf('.') + 1) + "." + fr.getMethod().getName());
                }
                int at = -1;
                for (int i = names.size() - 1; i >= 0 && at < 0; i--) {
                    if (names.get(i).contains(filter)) {
                        at = i; // the outermost call of the method: its callers are left out below
                    }
                }
                if (at < 0) {
                    continue;
                }
                names = names.subList(0, at + 1);
                kept++;
                self.merge(names.get(0), 1, Integer::sum);
                Set<String> seen = new HashSet<>(names);
                seen.forEach(n -> inclusive.merge(n, 1, Integer::sum));
            }
        }
        System.out.printf(Locale.ROOT, "%s: %d of %d execution samples have %s on the stack%n", in, kept, all, filter);
        print("self (top frame)", self, kept, top);
        print("inclusive", inclusive, kept, top);
    }

    private static void print(String title, Map<String, Integer> counts, long total, int top) {
        System.out.println("-- " + title);
        counts.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(top)
                .forEach(en -> System.out.printf(Locale.ROOT, "%6.1f%%  %s%n", 100.0 * en.getValue() / total,
                        en.getKey()));
    }
}

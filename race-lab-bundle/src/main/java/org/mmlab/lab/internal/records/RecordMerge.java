package org.mmlab.lab.internal.records;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * lab:merge: the records of several files (the shards of a campaign, or several campaigns) as one summary
 * per campaign (runs by outcome, the findings grouped by signature with the command that replays the first),
 * and what keeps them from being whole campaigns: a schedule in two files, a shard no file holds, a file
 * whose run did not finish.
 */
public final class RecordMerge {
    /** Problems of one kind listed; the rest are counted. */
    static final int LISTED = 10;

    private RecordMerge() {}

    /**
     * The merge of {@code files}, read in full before anything is said: a file that is not a record file is
     * refused in one line.
     *
     * @param lines    the summary, as text
     * @param problems what keeps the files from being whole campaigns, each in one line; empty if they are
     */
    public record Merged(List<String> lines, List<String> problems) {}

    public static Merged merge(List<String> files) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no files: " + RecordFile.GIVE);
        }
        List<RecordFile> read = files.stream().map(RecordFile::read).toList();
        Map<String, List<RecordFile.Run>> runs = new LinkedHashMap<>();
        Map<String, List<RecordFile.Summary>> summaries = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        List<String> overlaps = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        for (RecordFile f : read) {
            for (RecordFile.Run r : f.runs()) {
                List<RecordFile.Run> ofCampaign = runs.computeIfAbsent(r.campaign(), c -> new ArrayList<>());
                String other = seen.putIfAbsent(r.key(), f.name());
                if (other == null) {
                    ofCampaign.add(r);
                } else { // counted once: the summary says what the campaign found, the problem that it ran twice
                    overlaps.add("overlap: " + r.key() + " is in " + other + " and " + f.name());
                }
            }
            for (RecordFile.Summary s : f.summaries()) {
                summaries.computeIfAbsent(s.campaign(), c -> new ArrayList<>()).add(s);
                runs.computeIfAbsent(s.campaign(), c -> new ArrayList<>());
            }
            if (f.summaries().isEmpty()) {
                problems.add("unfinished: " + f.name() + " has no summary record (" + f.runs().size()
                        + " runs): its command did not finish");
            }
        }
        listed(problems, overlaps);
        List<String> lines = new ArrayList<>();
        int total = runs.values().stream().mapToInt(List::size).sum();
        lines.add(String.format("merged %d file%s: %d runs of %d campaign%s", files.size(),
                files.size() == 1 ? "" : "s", total, runs.size(), runs.size() == 1 ? "" : "s"));
        runs.forEach((campaign, rs) -> campaign(campaign, rs, summaries.getOrDefault(campaign, List.of()), lines,
                problems));
        return new Merged(lines, problems);
    }

    private static void campaign(String campaign, List<RecordFile.Run> runs, List<RecordFile.Summary> summaries,
            List<String> lines, List<String> problems) {
        TreeSet<Integer> counts = summaries.stream().map(s -> s.shard().count())
                .collect(Collectors.toCollection(TreeSet::new));
        TreeSet<Integer> totals = summaries.stream().map(RecordFile.Summary::runs)
                .collect(Collectors.toCollection(TreeSet::new));
        Map<String, Long> byOutcome = runs.stream().collect(Collectors.groupingBy(RecordFile.Run::outcome,
                TreeMap::new, Collectors.counting()));
        String of = totals.size() == 1 ? " of " + totals.first() : "";
        String shards = counts.size() == 1 && counts.first() > 1 ? ", " + summaries.stream()
                .map(s -> s.shard().index()).distinct().count() + " shards of " + counts.first() : "";
        lines.add(campaign + ": " + runs.size() + of + " runs" + shards + ": " + byOutcome.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")));
        findings(runs, lines);
        int before = problems.size();
        if (counts.size() > 1) {
            problems.add("shards: " + campaign + " is split in " + counts + " shards in different files");
        } else if (counts.size() == 1) {
            int n = counts.first();
            List<String> missing = new ArrayList<>();
            Map<Integer, String> held = new HashMap<>();
            for (RecordFile.Summary s : summaries) {
                String other = held.putIfAbsent(s.shard().index(), s.file());
                if (other != null) {
                    problems.add("overlap: shard " + s.shard() + " of " + campaign + " is in " + other + " and "
                            + s.file());
                }
            }
            for (int i = 0; i < n; i++) {
                if (!held.containsKey(i)) {
                    missing.add("missing: shard " + i + "/" + n + " of " + campaign);
                }
            }
            listed(problems, missing);
        }
        if (totals.size() > 1) {
            problems.add("runs: the summaries of " + campaign + " disagree on its runs: " + totals);
        } else if (totals.size() == 1 && totals.first() != runs.size() && problems.size() == before) {
            problems.add("runs: " + campaign + " has " + totals.first() + " runs, the files " + runs.size());
        }
    }

    /** Each signature's runs, most first: how many, the first of them (by index) and its replay. */
    private static void findings(List<RecordFile.Run> runs, List<String> lines) {
        Map<List<String>, List<RecordFile.Run>> found = runs.stream().filter(r -> !r.outcome().equals(RunRecord.CLEAN))
                .sorted(Comparator.comparingInt(RecordFile.Run::index))
                .collect(Collectors.groupingBy(r -> List.of(r.outcome(), String.valueOf(r.signature())),
                        LinkedHashMap::new, Collectors.toList()));
        found.entrySet().stream().sorted((a, b) -> b.getValue().size() - a.getValue().size()).forEach(e -> {
            RecordFile.Run first = e.getValue().get(0);
            lines.add("  " + e.getKey().get(0) + " in " + e.getValue().size() + " runs: " + e.getKey().get(1));
            lines.add("    first: run " + (first.index() + 1) + " (" + first.schedule() + ")"); // as lab:explore numbers it
            lines.add("    replay: " + first.replay());
        });
    }

    private static void listed(List<String> problems, List<String> some) {
        problems.addAll(some.subList(0, Math.min(LISTED, some.size())));
        if (some.size() > LISTED) {
            problems.add("... and " + (some.size() - LISTED) + " more");
        }
    }
}

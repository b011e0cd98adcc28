package org.mmlab.lab.internal.records;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import org.mmlab.lab.RaceOutcome;

/**
 * One run, as {@code --json} writes it (docs/race-lab.md, "Results a program can read"). lab:merge reads
 * {@code type}, {@code campaign}, {@code index}, {@code race}, {@code setup}, {@code schedule},
 * {@code outcome}, {@code signature} and {@code replay}; the rest is for people and their programs.
 *
 * @param type       "run"
 * @param campaign   the command that ran the campaign, without --shard and --json: the runs it names are its
 * @param index      the run's number in the campaign, from 0 (lab:explore's seed is the first seed + index)
 * @param schedule   the schedule, as lab:explore takes it ("pct --seed 5 --depth 3 --steps 26")
 * @param outcome    reproduced, other-reports, failed or clean
 * @param report     the race's report if the run reproduced it, else the first line of the first report (or of
 *                   the failure), or null
 * @param signature  the report with what varies from run to run masked (addresses, pfns, PIDs): runs with
 *                   equal signatures found the same thing
 * @param decisions  the scheduling decisions; null for a storm, whose threads are not scheduled
 * @param trace      the decisions, as lab:replay takes them (a storm: its cycles since its last clean check, as
 *                   lab:storm --replay takes them, null when clean); traceHash is its SHA-256, first 16 hex digits
 * @param ms         the run's time: set-up, schedule and checks
 * @param storm      what a storm's record adds; null for a race's run
 */
public record RunRecord(String type, String campaign, int index, String race, String setup, String schedule,
        String strategy, Long seed, Integer depth, Integer steps, String outcome, String report, String signature,
        List<String> reports, String failure, String window, String windowClosed, Long decisions, String trace,
        String traceHash, String replay, double ms, StormRun storm) {

    public static final String CLEAN = "clean";
    /** A run that produced checker reports, none of them the race's. */
    public static final String OTHER_REPORTS = "other-reports";
    /** A race's run whose thread died, got stuck or left its work undone; a storm that did not end clean. */
    public static final String FAILED = "failed";

    /**
     * The record of the campaign's run {@code index}.
     *
     * @param scripted   say whether the script's window opened
     * @param raceReport what the race's report says (lab:races): a run that reproduced it is known by it, whatever
     *                   other reports came first
     */
    public static RunRecord of(String campaign, int index, Schedule schedule, RaceOutcome o, boolean scripted,
            String raceReport, double ms) {
        String report = o.reports().stream().filter(l -> o.reproduced() && l.contains(raceReport)).findFirst()
                .orElse(!o.reports().isEmpty() ? o.reports().get(0)
                        : o.failure() != null ? o.failure().lines().findFirst().orElse("") : null);
        String window = !scripted ? null
                : o.unmet().isEmpty() ? "opened" : "closed at " + String.join(", ", o.unmet());
        return new RunRecord("run", campaign, index, o.race(), o.setup(), schedule.toString(), schedule.strategy(),
                schedule.seed(), schedule.depth(), schedule.steps(), outcome(o), report,
                report == null ? null : signature(report), o.reports(), o.failure(), window, o.windowClosed(),
                o.decisions(), o.trace(), hash(o.trace()),
                "lab:replay " + o.race() + " '" + o.trace() + "' " + o.setup(), millis(ms), null);
    }

    /** A run's time in ms, to the microsecond. */
    public static double millis(double ms) {
        return Math.round(ms * 1000) / 1000.0;
    }

    /** reproduced, other-reports, failed (a thread died, a run got stuck, work not done) or clean. */
    public static String outcome(RaceOutcome o) {
        return o.reproduced() ? "reproduced" : !o.reports().isEmpty() ? OTHER_REPORTS
                : o.failure() != null ? FAILED : CLEAN;
    }

    /** What a report says without what varies between runs that found the same thing. */
    public static String signature(String report) {
        return report.replaceAll("(?i)(pfn[: ]\\s*)(0x)?[0-9a-f]+", "$1…")
                .replaceAll("0x[0-9a-fA-F]+", "0x…")
                .replaceAll("\\b(?=[0-9a-f]*[0-9])[0-9a-f]{8,}\\b", "…")
                .replaceAll("(PID:? )[0-9]+", "$1…");
    }

    /** The trace's SHA-256, its first 16 hex digits. */
    public static String hash(String trace) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(trace.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}

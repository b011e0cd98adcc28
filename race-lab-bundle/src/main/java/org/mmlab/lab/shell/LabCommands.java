package org.mmlab.lab.shell;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.regex.Pattern;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.mmlab.lab.LabRuns;
import org.mmlab.lab.RaceOutcome;
import org.mmlab.lab.internal.Lab;
import org.mmlab.lab.internal.Pass;
import org.mmlab.lab.internal.Race;
import org.mmlab.lab.internal.RaceBatch;
import org.mmlab.lab.internal.Setup;
import org.mmlab.lab.internal.StrategySpec;
import org.mmlab.lab.internal.TraceShrinker;
import org.mmlab.lab.internal.Verdict;
import org.mmlab.lab.internal.records.RecordSink;
import org.mmlab.lab.internal.records.RunRecord;
import org.mmlab.lab.internal.records.Schedule;
import org.mmlab.lab.internal.records.Shard;
import org.mmlab.lab.internal.records.SummaryRecord;
import org.mmlab.lab.internal.sched.Strategies;
import org.mmlab.lab.internal.sched.Trace;
import org.mmlab.mm.CommandArgs;
import org.mmlab.mm.lab.ModulePolicy;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The lab: commands: the catalogue of races, runs under a policy and a schedule, replays and shrinks. */
@Component(service = LabCommands.class)
@GogoCommand(scope = "lab", function = {"races", "race", "explore", "replay", "shrink", "policy", "check",
        "handoffs"})
public class LabCommands {
    /** Events of a window-closed run shown: a spinning thread can pass thousands of points. */
    static final int EVENTS_SHOWN = 40;
    /** PCT's largest depth: d - 1 priority change points a run; bugs found in practice have d of 1 to 3. */
    static final int MAX_DEPTH = 100;
    static final String JSON = "write a JSON record of each run and a summary record to the file, one a line"
            + " (- : to the console, instead of the text)";
    /** --json absent: a value no one types, so that --json '' is refused as an empty file name. */
    static final String NO_RECORDS = "\0";

    private final Lab lab;
    /** Where each batch's runs are posted as they happen, for the lab's page. */
    private final LabRuns board;

    @Activate
    public LabCommands(@Reference Lab lab, @Reference LabRuns board) {
        this.lab = lab;
        this.board = board;
    }

    @Descriptor("list the races the lab reproduces: seed, quote, the setup each fails under and those it passes"
            + " (each fix closing the window or surviving it), variants")
    public void races() {
        for (Race r : lab.catalogue().races()) {
            int n = lab.catalogue().number(r);
            if (r.exploration()) { // no failing script: lab:explore looks for any checker report
                System.out.printf("%d. %s (seed %s)%n   \"%s\"%n   explores %s for any checker report (lab:explore %d)%n"
                        + "   clean under:%n%s   %s%n   script: %s%n", n, r.name(), r.seed(), r.quote(), r.fails(), n,
                        passes(r), r.conditions(), r.script());
            } else {
                System.out.printf("%d. %s (seed %s)%n   \"%s\"%n   fails under %s with \"%s\"%n   passes under:%n%s"
                        + "   %s%n   script: %s%n", n, r.name(), r.seed(), r.quote(), r.fails(), r.report(),
                        passes(r), r.conditions(), r.script());
            }
            r.variants().forEach((v, what) -> System.out.printf("   variant %s: %s%n", v, what));
        }
    }

    /** One line a pass: its setup, whether the fix closes the window (where) or survives it, its own script. */
    private static String passes(Race r) {
        StringBuilder sb = new StringBuilder();
        for (Pass p : r.passes()) {
            sb.append("     ").append(p);
            String script = r.script(p.setup());
            if (!script.equals(r.script())) {
                sb.append(", with the script ").append(script);
            }
            sb.append(System.lineSeparator());
        }
        return sb.toString();
    }

    @Descriptor("run a race with its scripted schedule, under the policy it fails under unless told otherwise")
    public void race(@Descriptor("the migration contract: 2012, 2016 or 2025 (default: the race's)")
            @Parameter(names = {"-c", "--contract"}, absentValue = "") String contract,
            @Descriptor("the module policy: none, module-ref or osgi-drain (default: the one it fails under)")
            @Parameter(names = {"-p", "--policy"}, absentValue = "") String policy,
            @Descriptor("how many runs") @Parameter(names = {"-n", "--runs"}, absentValue = "1") String runs,
            @Descriptor("the race's variant of the design (default: the one it fails under; see lab:races)")
            @Parameter(names = {"-v", "--variant"}, absentValue = "") String variant,
            @Descriptor(JSON) @Parameter(names = {"--json"}, absentValue = NO_RECORDS) String file,
            @Descriptor("the race: its name or number in lab:races") String name)
            throws Exception {
        Race race = race(name);
        Setup setup = setup(race, contract, policy, variant);
        int n = runs(runs);
        String script = race.script(setup);
        Strategies.edges(script); // a script naming a point that does not exist fails here, before anything runs
        StrategySpec scripted = StrategySpec.of(() -> Strategies.scripted(script), "scripted");
        String campaign = "lab:race " + race.name() + " " + setup.options() + " --runs " + n;
        try (RecordSink records = records(file)) {
            inBatch(race, setup, records, batch -> runMany(batch, new Campaign(campaign, n, Shard.ALL), k -> scripted,
                    k -> Schedule.SCRIPTED, true, records));
        }
    }

    @Descriptor("explore a race's schedules with a seeded random or PCT strategy; prints each failing run's replay")
    public void explore(
            @Descriptor("random or pct") @Parameter(names = {"-s", "--strategy"}, absentValue = "pct") String strategy,
            @Descriptor("the first seed; run k uses seed + k")
            @Parameter(names = {"--seed"}, absentValue = "1") String seed,
            @Descriptor("how many runs") @Parameter(names = {"-n", "--runs"}, absentValue = "100") String runs,
            @Descriptor("PCT's bug depth, 1 to " + MAX_DEPTH) @Parameter(names = {"-d", "--depth"}, absentValue = "3")
            String depth,
            @Descriptor("the migration contract (default: the race's)")
            @Parameter(names = {"-c", "--contract"}, absentValue = "") String contract,
            @Descriptor("the module policy (default: the one the race fails under)")
            @Parameter(names = {"-p", "--policy"}, absentValue = "") String policy,
            @Descriptor("the race's variant of the design (default: the one it fails under; see lab:races)")
            @Parameter(names = {"-v", "--variant"}, absentValue = "") String variant,
            @Descriptor("PCT's k, the decisions its change points fall among (default: those of one run of the batch"
                    + " that switches only when a thread ends)")
            @Parameter(names = {"--steps"}, absentValue = "") String steps,
            @Descriptor("run only shard I of N of the runs: I, I+N, I+2N, ... (I from 0)")
            @Parameter(names = {"--shard"}, absentValue = "0/1") String shard,
            @Descriptor(JSON) @Parameter(names = {"--json"}, absentValue = NO_RECORDS) String file,
            @Descriptor("the race: its name or number in lab:races") String name) throws Exception {
        Race race = race(name);
        Setup setup = setup(race, contract, policy, variant);
        long first = CommandArgs.number("--seed", seed, Long.MIN_VALUE, Long.MAX_VALUE);
        int n = runs(runs);
        int d = CommandArgs.intNumber("--depth", depth, 1, MAX_DEPTH);
        if (!"random".equals(strategy) && !"pct".equals(strategy)) {
            throw new IllegalArgumentException("no strategy '" + strategy + "': use random or pct");
        }
        boolean pct = strategy.equals("pct");
        int givenSteps = CommandArgs.given("--steps", steps).isEmpty() ? 0
                : CommandArgs.intNumber("--steps", steps, 1, Integer.MAX_VALUE);
        if (givenSteps > 0 && !pct) {
            throw new IllegalArgumentException("--steps is PCT's: give it with --strategy pct, or leave it out");
        }
        Shard part = Shard.parse(shard);
        if (pct && givenSteps == 0 && part.count() > 1) {
            // each process would estimate its own k, and a different k makes different schedules of the same seeds
            throw new IllegalArgumentException("--shard " + part + " with --strategy pct needs --steps K, the same in"
                    + " every shard (each lab would estimate its own k; a run without --shard shows it as --steps K)");
        }
        try (RecordSink records = records(file)) {
            inBatch(race, setup, records, batch -> {
                int k = pct && givenSteps == 0 ? batch.steps() : givenSteps;
                IntFunction<Schedule> schedules = i -> pct ? Schedule.pct(first + i, d, k) : Schedule.random(first + i);
                String campaign = "lab:explore " + race.name() + " " + setup.options() + " --strategy " + strategy
                        + " --seed " + first + " --runs " + n + (pct ? " --depth " + d + " --steps " + k : "");
                return runMany(batch, new Campaign(campaign, n, part), i -> spec(schedules.apply(i)), schedules,
                        false, records);
            });
        }
    }

    /** A seeded schedule's strategy. */
    private static StrategySpec spec(Schedule s) {
        return StrategySpec.of(() -> s.strategy().equals("pct") ? Strategies.pct(s.seed(), s.depth(), s.steps())
                : Strategies.random(s.seed()), s.toString());
    }

    @Descriptor("replay a run of a race from its trace (as a failing run prints it); with --runs, says whether every"
            + " replay had the same outcome")
    public void replay(@Descriptor("the migration contract (default: the race's)")
            @Parameter(names = {"-c", "--contract"}, absentValue = "") String contract,
            @Descriptor("the module policy (default: the one the race fails under)")
            @Parameter(names = {"-p", "--policy"}, absentValue = "") String policy,
            @Descriptor("the race's variant of the design (default: the one it fails under; see lab:races)")
            @Parameter(names = {"-v", "--variant"}, absentValue = "") String variant,
            @Descriptor("how many times") @Parameter(names = {"-n", "--runs"}, absentValue = "1") String runs,
            @Descriptor("the race") String name,
            @Descriptor("the trace: THREAD or THREAD*COUNT, separated by spaces, in quotes") String trace)
            throws Exception {
        Race race = race(name);
        Setup setup = setup(race, contract, policy, variant);
        int n = runs(runs);
        lab.trace(race, CommandArgs.given("TRACE", trace)); // refuses a bad trace before anything runs
        List<RaceOutcome> outcomes = new ArrayList<>();
        String campaign = "lab:replay " + race.name() + " '" + trace + "' " + setup.options() + (n > 1 ? " --runs " + n
                : "");
        inBatch(race, setup, null, batch -> {
            Batch b = runMany(batch, new Campaign(campaign, n, Shard.ALL), k -> StrategySpec.of(() ->
                    Strategies.replay(trace), "replay"), k -> new Schedule("replay", null, null, null), false, null);
            outcomes.addAll(b.runs());
            return b;
        });
        if (n > 1) {
            long different = outcomes.stream().map(LabCommands::outcome).distinct().count();
            System.out.println(different == 1 ? "replayed " + n + " times: the same outcome every time"
                    : "replayed " + n + " times: " + different + " different outcomes (a replay should be exact)");
        }
    }

    private static final Pattern ANY_PID = Pattern.compile("PID: \\d+");

    /**
     * What a replay must reproduce: its reports (or none), where it left the trace, its decisions, its failure. Not
     * the PID a report names: the lab's PID is the reporting Java thread's id, new in every run.
     */
    static List<Object> outcome(RaceOutcome o) {
        List<String> reports = o.reports().stream().map(r -> ANY_PID.matcher(r).replaceAll("PID: N")).toList();
        return Arrays.asList(reports, o.windowClosed(), o.decisions(), o.failure());
    }

    @Descriptor("shrink a failing trace to the fewest switches that still reproduce the race; print it as a script")
    public void shrink(@Descriptor("the migration contract (default: the race's)")
            @Parameter(names = {"-c", "--contract"}, absentValue = "") String contract,
            @Descriptor("the module policy (default: the one the race fails under)")
            @Parameter(names = {"-p", "--policy"}, absentValue = "") String policy,
            @Descriptor("the race's variant of the design (default: the one it fails under; see lab:races)")
            @Parameter(names = {"-v", "--variant"}, absentValue = "") String variant,
            @Descriptor("the race") String name, @Descriptor("the failing trace, in quotes") String trace)
            throws Exception {
        Race race = race(name);
        Setup setup = setup(race, contract, policy, variant);
        lab.trace(race, CommandArgs.given("TRACE", trace));
        TraceShrinker.Shrunk s = lab.shrink(race, setup, trace);
        System.out.printf("shrunk to %d switches in %d runs%ntrace:  %s%nscript: %s%n", s.switches(), s.runs(),
                s.trace(), s.script());
    }

    @Descriptor("show the module protection policy of this run")
    public void policy() {
        System.out.println(lab.policy().value());
    }

    @Descriptor("choose the module protection policy: none, module-ref or osgi-drain")
    public void policy(@Descriptor("none | module-ref | osgi-drain") String policy) {
        lab.setPolicy(ModulePolicy.parse(CommandArgs.given("POLICY", policy)));
        System.out.printf("module policy %s%n", lab.policy().value());
    }

    @Descriptor("show whether the page-conservation checker runs mm:check after each run")
    public void check() {
        System.out.printf("page conservation after each run: %s%n", lab.checkAfterRun() ? "on" : "off");
    }

    @Descriptor("switch the page-conservation checker: mm:check after each run, before the lab puts the guest back;"
            + " a broken invariant is reported in dmesg")
    public void check(@Descriptor("on | off") String state) {
        lab.setCheckAfterRun(on(state));
        check();
    }

    @Descriptor("show whether each run prints the watchdog's hand-offs")
    public void handoffs() {
        System.out.printf("the watchdog's hand-offs printed: %s%n", lab.printHandoffs() ? "on" : "off");
    }

    @Descriptor("switch the printing of the watchdog's hand-offs: before a run's line, each time the watchdog passed over"
            + " a blocked thread (the decision, the thread's last point, what the JVM says of it, its stack) and each"
            + " return; for a seed whose trace differs between labs")
    public void handoffs(@Descriptor("on | off") String state) {
        lab.setPrintHandoffs(on(state));
        handoffs();
    }

    /** A switch's state as typed: on or off, nothing else. */
    private static boolean on(String state) {
        if (!"on".equals(state) && !"off".equals(state)) {
            throw new IllegalArgumentException("'" + state + "': use on or off");
        }
        return state.equals("on");
    }

    /** A campaign: the command that names its runs (without --shard and --json), how many, this process's shard. */
    record Campaign(String command, int runs, Shard shard) {
        /** The command as it runs, for the board of runs. */
        String what() {
            return shard.count() == 1 ? command : command + " --shard " + shard;
        }
    }

    /** What a batch did: each run's outcome, and its summary record (without the times, until the batch ends). */
    record Batch(List<RaceOutcome> runs, SummaryRecord summary) {}

    /** The records' sink, or null without --json; opened last, once every other argument has been checked. */
    private static RecordSink records(String file) {
        return NO_RECORDS.equals(file) ? null : RecordSink.open(file);
    }

    /** What runs in one batch of the race, followed by where the batch's time went, and the summary record. */
    private void inBatch(Race race, Setup setup, RecordSink records, BatchBody body) throws Exception {
        RaceBatch batch = lab.batch(race, setup);
        Batch result;
        try {
            result = body.run(batch);
        } finally {
            batch.close();
        }
        if (records != null) {
            records.write(result.summary().timed(batch.times()));
        }
        text(records, "time: " + batch.times());
    }

    private interface BatchBody {
        Batch run(RaceBatch batch) throws Exception;
    }

    /**
     * This shard's runs of the campaign: each run, a summary line, and what the runs did (if the race says), as
     * text unless the records go to the console, and a record of each run if there are records. Scripted runs
     * also say whether their window opened, and the batch whether that is what the catalogue says of the
     * setup. Each run is posted to the board of runs as it ends.
     */
    private Batch runMany(RaceBatch batch, Campaign campaign, IntFunction<StrategySpec> strategies,
            IntFunction<Schedule> schedules, boolean scripted, RecordSink records) throws Exception {
        int runs = campaign.shard().runs(campaign.runs());
        long entry = board.start(campaign.what(), runs);
        String summary = "stopped";
        try {
            int reproduced = 0;
            List<RaceOutcome> outcomes = new ArrayList<>();
            Map<String, Integer> byOutcome = new TreeMap<>();
            for (int j = 0; j < runs; j++) {
                int k = campaign.shard().run(j);
                long t0 = System.nanoTime();
                RaceOutcome o = batch.run(strategies.apply(k));
                double ms = (System.nanoTime() - t0) / 1e6;
                String line = describe(k + 1, o, scripted);
                text(records, line);
                if (records != null) {
                    records.write(RunRecord.of(campaign.command(), k, schedules.apply(k), o, scripted,
                            batch.race().report(), ms));
                }
                reproduced += o.reproduced() ? 1 : 0;
                byOutcome.merge(RunRecord.outcome(o), 1, Integer::sum);
                outcomes.add(withoutSteps(o));
                board.progress(entry, j + 1, reproduced, line.lines().findFirst().orElse(line), o.reports());
            }
            Race race = batch.race();
            String windows = scripted ? windows(outcomes) : null;
            summary = String.format("%s under %s: reproduced in %d of %d runs%s%s", race.name(), batch.setup(),
                    reproduced, runs, campaign.shard().count() > 1 ? " (shard " + campaign.shard() + " of "
                            + campaign.runs() + ")" : "", scripted ? "; " + windows : "");
            text(records, summary);
            if (race.work() != null) {
                text(records, "work: " + race.work());
            }
            String verdict = scripted ? Verdict.of(race, batch.setup(), outcomes) : null;
            if (verdict != null) {
                text(records, verdict);
                summary = verdict;
            }
            return new Batch(outcomes, new SummaryRecord("summary", campaign.command(), campaign.what(),
                    campaign.shard().toString(), campaign.runs(), runs, byOutcome, reproduced, windows, race.work(),
                    verdict, null));
        } catch (Exception | Error e) {
            summary = "stopped: " + e.getMessage();
            throw e;
        } finally {
            board.end(entry, summary);
        }
    }

    /** A line of the text, which --json - replaces by the records. */
    private static void text(RecordSink records, String line) {
        if (records == null || !records.console()) {
            System.out.println(line);
        }
    }

    /** "window opened in 20", "window closed in 20 at a@p#1 < b@q#1" (the first closed run's edges), or both. */
    private static String windows(List<RaceOutcome> outcomes) {
        long opened = outcomes.stream().filter(o -> o.unmet().isEmpty()).count();
        StringJoiner parts = new StringJoiner(", ");
        if (opened > 0) {
            parts.add("window opened in " + opened);
        }
        outcomes.stream().filter(o -> !o.unmet().isEmpty()).findFirst().ifPresent(o -> parts.add("window closed in "
                + (outcomes.size() - opened) + " at " + String.join(", ", o.unmet())));
        return parts.toString();
    }

    /**
     * What a batch keeps of a run for its summary: the outcome without its trace and events, which take
     * 350 KB for a run of 7,000 decisions: a 100,000-run shard kept them all and ran out of heap (2 GiB
     * after 5,400 runs; 6 GiB after 15,000), its runs slowing down in the collector until they missed their
     * bound. Each run's record (--json) has them.
     */
    private static RaceOutcome withoutSteps(RaceOutcome o) {
        return new RaceOutcome(o.race(), o.setup(), o.strategy(), o.reproduced(), o.reports(), o.windowClosed(),
                o.unmet(), "", List.of(), o.decisions(), o.failure());
    }

    static String describe(int k, RaceOutcome o, boolean scripted) {
        String outcome = RunRecord.outcome(o); // a run whose thread died is FAILED, as its record says, never clean
        StringBuilder sb = new StringBuilder(String.format("run %d (%s, %d decisions): %s", k, o.strategy(),
                o.decisions(), outcome.equals(RunRecord.CLEAN) ? outcome : outcome.equals(RunRecord.OTHER_REPORTS)
                        ? "other reports" : outcome.toUpperCase(Locale.ROOT)));
        if (scripted) {
            sb.append(o.unmet().isEmpty() ? "; window opened" : "; window closed at " + String.join(", ", o.unmet()));
        }
        if (o.windowClosed() != null) {
            List<String> ev = o.events();
            sb.append(scripted ? " (" + o.windowClosed().replaceFirst("^window closed: ", "") + ")"
                    : "; " + o.windowClosed()).append("\n  events: ")
                    .append(String.join(" ", ev.subList(0, Math.min(ev.size(), EVENTS_SHOWN))));
            if (ev.size() > EVENTS_SHOWN) {
                sb.append(" ... (").append(ev.size() - EVENTS_SHOWN).append(" more)");
            }
        }
        for (String r : o.reports()) {
            sb.append("\n  ").append(r);
        }
        if (o.failure() != null) {
            sb.append("\n  failure: ").append(o.failure());
        }
        if (o.reproduced()) {
            sb.append(String.format("%n  replay: lab:replay %s '%s' %s", o.race(), o.trace(), o.setup()));
        }
        return sb.toString();
    }

    private Race race(String name) {
        return lab.catalogue().race(CommandArgs.given("NAME", name));
    }

    private static Setup setup(Race race, String contract, String policy, String variant) {
        return race.setup(CommandArgs.given("--contract", contract), CommandArgs.given("--policy", policy),
                CommandArgs.given("--variant", variant));
    }

    private static int runs(String runs) {
        return CommandArgs.intNumber("--runs", runs, 1, Integer.MAX_VALUE);
    }

}

package org.mmlab.lab.shell;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;
import java.util.function.IntFunction;

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
import org.mmlab.lab.internal.sched.Strategies;
import org.mmlab.lab.internal.sched.Trace;
import org.mmlab.mm.CommandArgs;
import org.mmlab.mm.Json;
import org.mmlab.mm.lab.ModulePolicy;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The lab: commands: the catalogue of races, runs under a policy and a schedule, replays and shrinks. */
@Component(service = LabCommands.class)
@GogoCommand(scope = "lab", function = {"races", "race", "explore", "replay", "shrink", "policy", "check"})
public class LabCommands {
    /** Events of a window-closed run shown: a spinning thread can pass thousands of points. */
    static final int EVENTS_SHOWN = 40;
    /** PCT's largest depth: d - 1 priority change points a run; bugs found in practice have d of 1 to 3. */
    static final int MAX_DEPTH = 100;

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
            @Descriptor("print the runs as one JSON object instead of text")
            @Parameter(names = {"--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("the race: its name or number in lab:races") String name)
            throws Exception {
        Race race = race(name);
        Setup setup = setup(race, contract, policy, variant);
        int n = runs(runs);
        String script = race.script(setup);
        Strategies.edges(script); // a script naming a point that does not exist fails here, before anything runs
        StrategySpec scripted = StrategySpec.of(() -> Strategies.scripted(script), "scripted");
        inBatch(race, setup, json, batch -> runMany(batch, n, k -> scripted, true, json,
                "lab:race " + race.name() + " " + setup.options() + " --runs " + n));
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
            @Descriptor("print the runs as one JSON object instead of text")
            @Parameter(names = {"--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("the race: its name or number in lab:races") String name) throws Exception {
        Race race = race(name);
        Setup setup = setup(race, contract, policy, variant);
        long first = CommandArgs.number("--seed", seed, Long.MIN_VALUE, Long.MAX_VALUE);
        int n = runs(runs);
        int d = CommandArgs.intNumber("--depth", depth, 1, MAX_DEPTH);
        if (!"random".equals(strategy) && !"pct".equals(strategy)) {
            throw new IllegalArgumentException("no strategy '" + strategy + "': use random or pct");
        }
        inBatch(race, setup, json, batch -> {
            int steps = strategy.equals("pct") ? batch.steps() : 0;
            return runMany(batch, n, k -> strategy.equals("random")
                    ? StrategySpec.of(() -> Strategies.random(first + k), "random --seed " + (first + k))
                    : StrategySpec.of(() -> Strategies.pct(first + k, d, steps),
                            "pct --seed " + (first + k) + " --depth " + d + " (steps " + steps + ")"), false, json,
                    "lab:explore " + race.name() + " " + setup.options() + " --strategy " + strategy + " --seed "
                            + first + " --runs " + n + (strategy.equals("pct") ? " --depth " + d : ""));
        });
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
        inBatch(race, setup, false, batch -> {
            Batch b = runMany(batch, n, k -> StrategySpec.of(() -> Strategies.replay(trace), "replay"), false, false,
                    "lab:replay " + race.name() + " '" + trace + "' " + setup.options() + (n > 1 ? " --runs " + n : ""));
            outcomes.addAll(b.runs());
            return b;
        });
        if (n > 1) {
            long different = outcomes.stream().map(LabCommands::outcome).distinct().count();
            System.out.println(different == 1 ? "replayed " + n + " times: the same outcome every time"
                    : "replayed " + n + " times: " + different + " different outcomes (a replay should be exact)");
        }
    }

    /** What a replay must reproduce: its report (or none), where it left the trace, its decisions, its failure. */
    private static List<Object> outcome(RaceOutcome o) {
        return Arrays.asList(o.reports(), o.windowClosed(), o.decisions(), o.failure());
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
        if (!"on".equals(state) && !"off".equals(state)) {
            throw new IllegalArgumentException("'" + state + "': use on or off");
        }
        lab.setCheckAfterRun(state.equals("on"));
        check();
    }

    /**
     * What lab:race and lab:explore print with --json: what their text says, as one JSON object.
     *
     * @param what       the command, as the board of runs shows it
     * @param runs       each run's outcome
     * @param reproduced the runs that reproduced the race
     * @param windows    scripted runs: whether their window opened; null for other strategies
     * @param work       what the race's runs do besides the race (lab:races), or null
     * @param verdict    scripted runs: whether that is what the catalogue says of the setup, or null
     * @param time       where the batch's time went
     */
    record Batch(String what, List<RaceOutcome> runs, int reproduced, String windows, String work, String verdict,
            String time) {
        Batch timed(String times) {
            return new Batch(what, runs, reproduced, windows, work, verdict, times);
        }
    }

    /** What runs in one batch of the race, followed by where the batch's time went (or all of it as JSON). */
    private void inBatch(Race race, Setup setup, boolean json, BatchBody body) throws Exception {
        RaceBatch batch = lab.batch(race, setup);
        Batch result;
        try {
            result = body.run(batch);
        } finally {
            batch.close();
        }
        if (json) {
            System.out.println(Json.write(result.timed(batch.times())));
        } else {
            System.out.println("time: " + batch.times());
        }
    }

    private interface BatchBody {
        Batch run(RaceBatch batch) throws Exception;
    }

    /**
     * Each run, a summary line, and what the runs did (if the race says), as text unless json. Scripted runs
     * also say whether their window opened, and the batch whether that is what the catalogue says of the
     * setup. Each run is posted to the board of runs as it ends.
     */
    private Batch runMany(RaceBatch batch, int runs, IntFunction<StrategySpec> strategies, boolean scripted,
            boolean json, String what) throws Exception {
        long entry = board.start(what, runs);
        String summary = "stopped";
        try {
            int reproduced = 0;
            List<RaceOutcome> outcomes = new ArrayList<>();
            for (int k = 0; k < runs; k++) {
                RaceOutcome o = batch.run(strategies.apply(k));
                String line = describe(k + 1, o, scripted);
                text(json, line);
                reproduced += o.reproduced() ? 1 : 0;
                outcomes.add(o);
                board.progress(entry, k + 1, reproduced, line.lines().findFirst().orElse(line), o.reports());
            }
            Race race = batch.race();
            String windows = scripted ? windows(outcomes) : null;
            summary = String.format("%s under %s: reproduced in %d of %d runs%s", race.name(), batch.setup(),
                    reproduced, runs, scripted ? "; " + windows : "");
            text(json, summary);
            if (race.work() != null) {
                text(json, "work: " + race.work());
            }
            String verdict = scripted ? Verdict.of(race, batch.setup(), outcomes) : null;
            if (verdict != null) {
                text(json, verdict);
                summary = verdict;
            }
            return new Batch(what, outcomes, reproduced, windows, race.work(), verdict, null);
        } catch (Exception | Error e) {
            summary = "stopped: " + e.getMessage();
            throw e;
        } finally {
            board.end(entry, summary);
        }
    }

    /** A line of the text, which --json replaces by one document at the end. */
    private static void text(boolean json, String line) {
        if (!json) {
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

    static String describe(int k, RaceOutcome o, boolean scripted) {
        StringBuilder sb = new StringBuilder(String.format("run %d (%s, %d decisions): %s", k, o.strategy(),
                o.decisions(), o.reproduced() ? "REPRODUCED" : o.reports().isEmpty() ? "clean" : "other reports"));
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

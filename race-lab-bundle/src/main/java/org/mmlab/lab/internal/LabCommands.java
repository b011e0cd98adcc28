package org.mmlab.lab.internal;

import java.util.List;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.mmlab.lab.RaceOutcome;
import org.mmlab.lab.internal.sched.Strategies;
import org.mmlab.lab.internal.sched.Strategy;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.ModulePolicy;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The lab: commands: the catalogue of races, runs under a policy and a schedule, replays and shrinks. */
@Component(service = LabCommands.class)
@GogoCommand(scope = "lab", function = {"races", "race", "explore", "replay", "shrink", "policy"})
public class LabCommands {
    private final BundleContext context;
    private final CommandProcessor processor;
    private final MemoryManager mm;
    private final Catalogue catalogue;

    @Activate
    public LabCommands(BundleContext context, @Reference CommandProcessor processor, @Reference MemoryManager mm) {
        this.context = context;
        this.processor = processor;
        this.mm = mm;
        this.catalogue = new Catalogue(List.of(new UnloadDuringMigration()));
    }

    @Descriptor("list the races the lab reproduces: seed, contract, the policy it fails under and those it passes under")
    public void races() {
        int i = 1;
        for (Race r : catalogue.races()) {
            System.out.printf("%d. %s (seed %s, contract %s)%n   \"%s\"%n   fails under %s with \"%s\"; passes under %s%n"
                    + "   script: %s%n", i++, r.name(), r.seed(), r.contract().value(), r.quote(), r.failsUnder().value(),
                    r.report(), policies(r.passesUnder()), r.script());
        }
    }

    @Descriptor("run a race with its scripted schedule, under the policy it fails under unless told otherwise")
    public void race(@Descriptor("the race: its name or number in lab:races") String name,
            @Descriptor("the module policy: none, module-ref, drain or osgi-drain")
            @Parameter(names = {"-p", "--policy"}, absentValue = "") String policy,
            @Descriptor("how many runs") @Parameter(names = {"-n", "--runs"}, absentValue = "1") int runs)
            throws Exception {
        Race race = catalogue.race(name);
        ModulePolicy p = policy.isEmpty() ? race.failsUnder() : ModulePolicy.parse(policy);
        requirePositive(runs);
        StrategySpec scripted = spec(() -> Strategies.scripted(race.script()), "scripted '" + race.script() + "'");
        runMany(race, p, runs, k -> scripted);
    }

    @Descriptor("explore a race's schedules with a seeded random or PCT strategy; prints each failing run's seed and replay")
    public void explore(@Descriptor("the race: its name or number in lab:races") String name,
            @Descriptor("random or pct") @Parameter(names = {"-s", "--strategy"}, absentValue = "pct") String strategy,
            @Descriptor("the first seed; run k uses seed + k") @Parameter(names = {"--seed"}, absentValue = "1") long seed,
            @Descriptor("how many runs") @Parameter(names = {"-n", "--runs"}, absentValue = "100") int runs,
            @Descriptor("PCT's bug depth") @Parameter(names = {"-d", "--depth"}, absentValue = "3") int depth,
            @Descriptor("the module policy (default: the one the race fails under)")
            @Parameter(names = {"-p", "--policy"}, absentValue = "") String policy) throws Exception {
        Race race = catalogue.race(name);
        ModulePolicy p = policy.isEmpty() ? race.failsUnder() : ModulePolicy.parse(policy);
        requirePositive(runs);
        if (!strategy.equals("random") && !strategy.equals("pct")) {
            throw new IllegalArgumentException("no strategy '" + strategy + "': use random or pct");
        }
        if (depth < 1) {
            throw new IllegalArgumentException("--depth " + depth + ": PCT's depth is at least 1");
        }
        int steps = strategy.equals("pct") ? stepsOf(race, p) : 0;
        runMany(race, p, runs, k -> strategy.equals("random")
                ? spec(() -> Strategies.random(seed + k), "random --seed " + (seed + k))
                : spec(() -> Strategies.pct(seed + k, depth, steps),
                        "pct --seed " + (seed + k) + " --depth " + depth + " (steps " + steps + ")"));
    }

    @Descriptor("replay a run of a race from its trace (as a failing run prints it)")
    public void replay(@Descriptor("the race") String name,
            @Descriptor("the trace: THREAD or THREAD*COUNT, separated by spaces, in quotes") String trace,
            @Descriptor("the module policy (default: the one the race fails under)")
            @Parameter(names = {"-p", "--policy"}, absentValue = "") String policy) throws Exception {
        Race race = catalogue.race(name);
        ModulePolicy p = policy.isEmpty() ? race.failsUnder() : ModulePolicy.parse(policy);
        org.mmlab.lab.internal.sched.Trace.decode(trace); // refuses a bad trace before anything runs
        runMany(race, p, 1, k -> spec(() -> Strategies.replay(trace), "replay '" + trace + "'"));
    }

    @Descriptor("shrink a failing trace to the fewest thread switches that still reproduce the race, and print it as a script")
    public void shrink(@Descriptor("the race") String name,
            @Descriptor("the failing trace, in quotes") String trace,
            @Descriptor("the module policy (default: the one the race fails under)")
            @Parameter(names = {"-p", "--policy"}, absentValue = "") String policy) throws Exception {
        Race race = catalogue.race(name);
        ModulePolicy p = policy.isEmpty() ? race.failsUnder() : ModulePolicy.parse(policy);
        org.mmlab.lab.internal.sched.Trace.decode(trace);
        try (LabContext lab = new LabContext(context, processor)) {
            TraceShrinker.Shrunk s = new TraceShrinker(new RaceLab(lab), race, p).shrink(trace);
            System.out.printf("shrunk to %d switches in %d runs%ntrace:  %s%nscript: %s%n", s.switches(), s.runs(),
                    s.trace(), s.script());
        }
    }

    @Descriptor("show the module protection policy of this run")
    public void policy() {
        System.out.printf("%s%n", mm.modulePolicy().value());
    }

    @Descriptor("choose the module protection policy: none, module-ref, drain or osgi-drain")
    public void policy(@Descriptor("none | module-ref | drain | osgi-drain") String policy) {
        mm.setModulePolicy(ModulePolicy.parse(policy));
        System.out.printf("module policy %s%n", mm.modulePolicy().value());
    }

    /** Runs the race n times, printing each run and a summary line. */
    private void runMany(Race race, ModulePolicy p, int runs, java.util.function.IntFunction<StrategySpec> strategies)
            throws Exception {
        int reproduced = 0;
        int closed = 0;
        try (LabContext lab = new LabContext(context, processor)) {
            RaceLab runner = new RaceLab(lab);
            for (int k = 0; k < runs; k++) {
                RaceOutcome o = runner.run(race, p, strategies.apply(k));
                System.out.println(describe(k + 1, o));
                if (o.reproduced()) {
                    reproduced++;
                }
                if (o.windowClosed() != null) {
                    closed++;
                }
            }
        }
        System.out.printf("%s under %s: reproduced in %d of %d runs%s%n", race.name(), p.value(), reproduced, runs,
                closed > 0 ? ", window closed in " + closed : "");
    }

    static String describe(int k, RaceOutcome o) {
        StringBuilder sb = new StringBuilder(String.format("run %d (%s, %d decisions): ", k, o.strategy(), o.decisions()));
        if (o.reproduced()) {
            sb.append("REPRODUCED");
        } else {
            sb.append(o.reports().isEmpty() ? "clean" : "other reports");
        }
        if (o.windowClosed() != null) {
            sb.append("; ").append(o.windowClosed());
        }
        for (String r : o.reports()) {
            sb.append("\n  ").append(r);
        }
        if (o.failure() != null) {
            sb.append("\n  failure: ").append(o.failure());
        }
        if (o.reproduced()) {
            sb.append(String.format("%n  replay: lab:replay %s '%s' --policy %s", o.race(), o.trace(), o.policy()));
        }
        return sb.toString();
    }

    /** Decisions of one run whose schedule only switches when a thread ends: PCT's k. */
    private int stepsOf(Race race, ModulePolicy p) throws Exception {
        try (LabContext lab = new LabContext(context, processor)) {
            RaceOutcome o = new RaceLab(lab).run(race, p, spec(() -> Strategies.replay(""), "replay ''"));
            return (int) Math.max(1, o.decisions());
        }
    }

    private static StrategySpec spec(java.util.function.Supplier<Strategy> make, String text) {
        return new StrategySpec() {
            @Override
            public Strategy create() {
                return make.get();
            }

            @Override
            public String describe() {
                return text;
            }
        };
    }

    private static void requirePositive(int runs) {
        if (runs < 1) {
            throw new IllegalArgumentException("--runs " + runs + ": at least 1");
        }
    }

    private static String policies(List<ModulePolicy> ps) {
        StringBuilder sb = new StringBuilder();
        for (ModulePolicy p : ps) {
            sb.append(sb.length() == 0 ? "" : ", ").append(p.value());
        }
        return sb.toString();
    }
}

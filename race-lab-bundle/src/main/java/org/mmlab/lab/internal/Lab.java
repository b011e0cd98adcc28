package org.mmlab.lab.internal;

import java.io.PrintStream;
import java.util.List;

import org.mmlab.lab.LabRuns;
import org.mmlab.lab.RaceOutcome;
import org.mmlab.lab.internal.sched.Trace;
import org.mmlab.mm.GuestRequired;
import org.mmlab.mm.admin.Compactor;
import org.mmlab.mm.admin.GuestCheck;
import org.mmlab.mm.admin.GuestConfig;
import org.mmlab.mm.admin.WorkloadControl;
import org.mmlab.mm.lab.DebugSwitches;
import org.mmlab.mm.lab.MmLab;
import org.mmlab.mm.lab.ModulePolicy;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/** The race lab as the lab: commands use it: the catalogue, runs, PCT's step estimate, shrinking. */
@Component(service = Lab.class)
public class Lab {
    private final BundleContext context;
    private final LabServices services;
    /**
     * The running guest's race-lab controls, followed across reboots (null while none runs): the lab and its
     * commands do not go and come back with every guest a race boots.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MmLab mmLab;
    private final WorkloadControl workload;
    private final Catalogue catalogue = Catalogue.all();

    @Activate
    public Lab(BundleContext context, @Reference GuestConfig config,
            @Reference Compactor compactor, @Reference DebugSwitches debug, @Reference GuestCheck check,
            @Reference WorkloadControl workload) {
        this.context = context;
        this.services = new LabServices(config, compactor, debug, check);
        this.workload = workload;
    }

    public Catalogue catalogue() {
        return catalogue;
    }

    /** The page-conservation checker (lab:check): mm:check after each run, its failure a report. */
    private volatile boolean checkAfterRun = true;

    public boolean checkAfterRun() {
        return checkAfterRun;
    }

    public void setCheckAfterRun(boolean on) {
        checkAfterRun = on;
    }

    /** Each run's hand-offs of the watchdog printed (lab:handoffs); off by default. */
    private volatile boolean printHandoffs;

    public boolean printHandoffs() {
        return printHandoffs;
    }

    public void setPrintHandoffs(boolean on) {
        printHandoffs = on;
    }

    public ModulePolicy policy() {
        return mmLab().modulePolicy();
    }

    public void setPolicy(ModulePolicy p) {
        mmLab().setModulePolicy(p);
    }

    private MmLab mmLab() {
        return GuestRequired.held(mmLab);
    }

    /** Runs of the race under the setup that share their preparation: close it to put the lab back. */
    public RaceBatch batch(Race race, Setup setup) throws Exception {
        return new RaceBatch(new LabContext(context, services), race, setup, checkAfterRun, printHandoffs);
    }

    /** Runs the race once. */
    public RaceOutcome run(Race race, Setup setup, StrategySpec strategy) throws Exception {
        try (RaceBatch b = batch(race, setup)) {
            return b.run(strategy);
        }
    }

    /**
     * A trace as lab:replay and lab:shrink take it, refused before anything runs when it is empty or names
     * a thread the race does not have.
     */
    public List<String> trace(Race race, String text) {
        List<String> choices = Trace.decode(text);
        List<String> threads = race.threadNames();
        if (choices.isEmpty()) {
            throw new IllegalArgumentException("an empty trace: give the thread chosen at each decision, e.g. '"
                    + threads.get(0) + "*3 " + threads.get(threads.size() - 1) + "' (race " + race.name()
                    + "'s threads: " + String.join(", ", threads) + ")");
        }
        for (String name : choices) {
            if (!threads.contains(name)) {
                throw new IllegalArgumentException("the trace names '" + name + "', which is no thread of race "
                        + race.name() + ": its threads are " + String.join(", ", threads));
            }
        }
        return choices;
    }

    /**
     * lab:storm: a hot-plug storm, its replay or its shrink, printing to out and posting its progress to the
     * board; true when it ends clean (a shrink: when it shrank). Bad arguments are refused in one line before
     * anything runs.
     */
    public boolean storm(StormArgs args, PrintStream out, LabRuns board) throws Exception {
        try (LabContext lab = new LabContext(context, services)) {
            return new StormRuns(lab, services.compactor(), workload, out, board).run(args);
        }
    }

    /** Shrinks a failing trace: see {@link TraceShrinker}. */
    public TraceShrinker.Shrunk shrink(Race race, Setup setup, String trace) throws Exception {
        try (RaceBatch b = batch(race, setup)) {
            return new TraceShrinker(b).shrink(trace);
        }
    }
}

package org.mmlab.lab.internal;

import java.util.Map;

import org.apache.felix.service.command.CommandProcessor;
import org.mmlab.lab.RaceOutcome;
import org.mmlab.mm.lab.MmLab;
import org.mmlab.mm.lab.ModulePolicy;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The race lab as the lab: commands use it: the catalogue, runs, PCT's step estimate, shrinking. */
@Component(service = Lab.class)
public class Lab {
    private final BundleContext context;
    private final CommandProcessor processor;
    private final MmLab mmLab;
    private final Catalogue catalogue = new Catalogue(Map.of(1, new UnloadDuringMigration(), 2, new MissingWmb(),
            3, new GlobalVbPtr(), 4, new FreedMappingNotCleared(), 5, new MappingUsedBeforeInit(),
            6, new LocklessScanFalsePositive(), 7, new IsolationVersusFree(), 8, new MainlineUnderPct()));

    @Activate
    public Lab(BundleContext context, @Reference CommandProcessor processor, @Reference MmLab mmLab) {
        this.context = context;
        this.processor = processor;
        this.mmLab = mmLab;
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

    public ModulePolicy policy() {
        return mmLab.modulePolicy();
    }

    public void setPolicy(ModulePolicy p) {
        mmLab.setModulePolicy(p);
    }

    /** Runs of the race under the setup that share their preparation: close it to put the lab back. */
    public RaceBatch batch(Race race, Setup setup) throws Exception {
        return new RaceBatch(new LabContext(context, processor), race, setup, checkAfterRun);
    }

    /** Runs the race once. */
    public RaceOutcome run(Race race, Setup setup, StrategySpec strategy) throws Exception {
        try (RaceBatch b = batch(race, setup)) {
            return b.run(strategy);
        }
    }

    /** Shrinks a failing trace: see {@link TraceShrinker}. */
    public TraceShrinker.Shrunk shrink(Race race, Setup setup, String trace) throws Exception {
        try (RaceBatch b = batch(race, setup)) {
            return new TraceShrinker(b).shrink(trace);
        }
    }
}

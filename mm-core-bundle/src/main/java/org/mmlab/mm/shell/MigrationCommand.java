package org.mmlab.mm.shell;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.mmlab.mm.internal.MigrateStats;
import org.mmlab.mm.internal.MmCore;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * mm:migration: page migration's counters and the registry of movable-page owners. A method, not a
 * Gogo Function named "migrate-stats" as it was: Gogo's help lists only commands that are methods,
 * and a method's name cannot have a hyphen.
 */
@Component(service = MigrationCommand.class)
@GogoCommand(scope = "mm", function = {"migration"})
public class MigrationCommand {
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MmCore core;

    @Descriptor("show page migration's and compaction's counters, the contract in force, the pages isolated now"
            + " and who owns which movable pages")
    public void migration() {
        System.out.print(MigrateStats.show(Args.running(core).guest()));
    }
}

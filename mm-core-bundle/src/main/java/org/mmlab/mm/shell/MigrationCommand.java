package org.mmlab.mm.shell;

import java.util.List;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.mmlab.mm.internal.MigrateStats;
import org.mmlab.mm.internal.MmCore;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * mm:migrate-stats: page migration's counters and the registry of movable-page owners. A Gogo
 * Function service, because a command name with a hyphen cannot be a method name.
 */
@Component(service = Function.class, property = {"osgi.command.scope=mm", "osgi.command.function=migrate-stats"})
public class MigrateStatsCommand implements Function {
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MmCore core;

    @Override
    public Object execute(CommandSession session, List<Object> arguments) {
        MmCore c = core;
        if (c == null) {
            throw new IllegalStateException("no guest is running: mm-core did not boot one (see its configuration"
                    + " with mm:config, and the log)");
        }
        if (!arguments.isEmpty()) {
            throw new IllegalArgumentException("mm:migrate-stats takes no arguments");
        }
        System.out.print(MigrateStats.show(c.guest()));
        return null;
    }
}

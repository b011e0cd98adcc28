package org.mmlab.cli.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

import org.apache.felix.service.command.CommandProcessor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * The Gogo commands registered as OSGi services (osgi.command.scope and osgi.command.function), as
 * Gogo and its help command find them, and their usage lines.
 */
final class CommandServices {

    private final BundleContext context;

    CommandServices(BundleContext context) {
        this.context = context;
    }

    /** Every command as SCOPE:FUNCTION, sorted; empty if this bundle is stopping. */
    SortedSet<String> names() {
        SortedSet<String> names = new TreeSet<>();
        try {
            ServiceReference<?>[] refs = context.getServiceReferences((String) null,
                    "(&(" + CommandProcessor.COMMAND_SCOPE + "=*)(" + CommandProcessor.COMMAND_FUNCTION + "=*))");
            for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
                String scope = String.valueOf(ref.getProperty(CommandProcessor.COMMAND_SCOPE));
                Object functions = ref.getProperty(CommandProcessor.COMMAND_FUNCTION);
                for (Object f : functions instanceof Object[] a ? a : new Object[] {functions}) {
                    names.add(scope + ":" + f);
                }
            }
        } catch (InvalidSyntaxException | IllegalStateException e) {
            return names; // the filter is a constant; a stopping bundle has no commands to offer
        }
        return names;
    }

    /** The usage lines of SCOPE:FUNCTION, or of FUNCTION in every scope if scope is null; empty if none. */
    List<String> usages(String scope, String function) {
        if (!function.matches("[\\w-]+") || scope != null && !scope.matches("[\\w-]+")) {
            return List.of(); // not a name a command can have, nor one to put in a filter
        }
        String filter = "(&(" + CommandProcessor.COMMAND_SCOPE + "=" + (scope == null ? "*" : scope) + ")("
                + CommandProcessor.COMMAND_FUNCTION + "=" + function + "))";
        List<String> lines = new ArrayList<>();
        try {
            ServiceReference<?>[] refs = context.getServiceReferences((String) null, filter);
            for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
                Object command = context.getService(ref);
                if (command == null) {
                    continue;
                }
                try {
                    String usage = CommandUsage.of(String.valueOf(ref.getProperty(CommandProcessor.COMMAND_SCOPE)),
                            function, command.getClass());
                    if (usage != null && !lines.contains(usage)) {
                        lines.add(usage);
                    }
                } finally {
                    context.ungetService(ref);
                }
            }
        } catch (InvalidSyntaxException | IllegalStateException e) {
            return List.of(); // a name no filter takes, or this bundle is stopping: no usage to show
        }
        lines.sort(null);
        return lines;
    }
}

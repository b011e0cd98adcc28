package org.mmlab.cli.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * {@code type -s SCOPE} lists a scope's commands with their usage lines, {@code type NAME} says what
 * a name is, as the JLine Gogo shell's builtin does (which the lab's own console replaces).
 */
@Component(service = TypeCommand.class,
        property = {"osgi.command.scope=gogo", "osgi.command.function=type"})
public class TypeCommand {

    private final CommandServices commands;

    @Activate
    public TypeCommand(BundleContext context) {
        this.commands = new CommandServices(context);
    }

    @Descriptor("list a scope's commands with their usage (type -s mm), or say what commands are (type compact)")
    public String type(@Descriptor("the scope, e.g. mm or mm:") @Parameter(names = {"-s", "--scope"},
            absentValue = "") String scope, @Descriptor("commands, e.g. compact or mm:compact") String[] names) {
        if (scope != null && !scope.isEmpty()) {
            if (names.length > 0) {
                throw new IllegalArgumentException("type -s SCOPE lists a scope; give no command names with it");
            }
            return scope(scope);
        }
        if (names.length == 0) {
            throw new IllegalArgumentException("type NAME... or type -s SCOPE; the scopes are " + scopes());
        }
        List<String> lines = new ArrayList<>();
        for (String name : names) {
            lines.add(name(name));
        }
        return String.join("\n", lines);
    }

    private String scope(String scope) {
        String bare = scope.endsWith(":") ? scope.substring(0, scope.length() - 1) : scope;
        List<String> names = commands.names().stream().filter(n -> n.startsWith(bare + ":")).toList();
        if (bare.isEmpty() || names.isEmpty()) {
            throw new IllegalArgumentException("no scope '" + scope + "': the scopes are " + scopes());
        }
        return names.stream().map(this::usage).collect(Collectors.joining("\n"));
    }

    private String name(String name) {
        List<String> matches = commands.names().stream()
                .filter(n -> n.equals(name) || n.substring(n.indexOf(':') + 1).equals(name)).toList();
        if (matches.isEmpty()) {
            throw new IllegalArgumentException("'" + name + "' is no command (type -s SCOPE lists a scope's; the scopes"
                    + " are " + scopes() + ")");
        }
        return matches.stream().map(n -> n + " is a command of scope " + n.substring(0, n.indexOf(':')) + ": " + usage(n))
                .collect(Collectors.joining("\n"));
    }

    private String usage(String name) {
        int colon = name.indexOf(':');
        List<String> usages = commands.usages(name.substring(0, colon), name.substring(colon + 1));
        return usages.isEmpty() ? name : String.join(" or ", usages);
    }

    private String scopes() {
        return commands.names().stream().map(n -> n.substring(0, n.indexOf(':'))).distinct()
                .collect(Collectors.joining(", "));
    }
}

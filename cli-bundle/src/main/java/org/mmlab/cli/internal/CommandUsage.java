package org.mmlab.cli.internal;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;

/**
 * A Gogo command's usage line, made from the methods Gogo would call, so that it is always the
 * command's own: {@code mm:page PFN}, {@code mm:alloc ORDER [GFP]},
 * {@code lab:race [--contract CONTRACT] [--runs RUNS] NAME}.
 * <p>
 * Rules, in the order they apply:
 * <ol>
 * <li>A parameter whose @Descriptor lists its values ("start | stop | status", explanations in
 * parentheses dropped) shows them ({@code start|stop|status}), and one that is a single word shows
 * that word (the keyword it must be: {@code vbPtr}); any other shows its name in capitals
 * (the build compiles with -parameters; without names, VALUE for text, else its type's).</li>
 * <li>An option ({@link Parameter}) shows as {@code [--name NAME]}, a flag as {@code [--name]}, by
 * its longest name, before the positional parameters; an array as {@code [NAME...]}.</li>
 * <li>Overloads whose parameters start with a shorter overload's merge into one line with the rest
 * in brackets ({@code mm:config [NAME VALUE]}); the others follow after {@code " or "}.</li>
 * </ol>
 */
final class CommandUsage {

    private CommandUsage() {}

    /** The usage line of SCOPE:FUNCTION on an object of {@code type}, or null if it has no such method. */
    static String of(String scope, String function, Class<?> type) {
        List<List<String>> overloads = new ArrayList<>();
        for (Method m : type.getMethods()) {
            if (m.getName().equalsIgnoreCase(function) && !Modifier.isStatic(m.getModifiers())) {
                overloads.add(words(m));
            }
        }
        if (overloads.isEmpty()) {
            return null;
        }
        overloads.sort(Comparator.<List<String>>comparingInt(List::size).thenComparing(Object::toString));
        List<String> lines = new ArrayList<>();
        List<String> shorter = null;
        for (List<String> words : overloads) {
            if (shorter != null && words.size() > shorter.size() && words.subList(0, shorter.size()).equals(shorter)) {
                String merged = lines.remove(lines.size() - 1);
                lines.add(merged + " ["
                        + String.join(" ", words.subList(shorter.size(), words.size())) + "]");
            } else if (!words.equals(shorter)) {
                lines.add(String.join(" ", prefixed(scope + ":" + function, words)));
            }
            shorter = words;
        }
        return String.join(" or ", lines);
    }

    private static List<String> prefixed(String command, List<String> words) {
        List<String> all = new ArrayList<>();
        all.add(command);
        all.addAll(words);
        return all;
    }

    /** The words after the command's name: options first, then positional parameters. */
    private static List<String> words(Method m) {
        List<String> options = new ArrayList<>();
        List<String> positional = new ArrayList<>();
        java.lang.reflect.Parameter[] params = m.getParameters();
        for (int i = 0; i < params.length; i++) {
            java.lang.reflect.Parameter p = params[i];
            if (i == 0 && CommandSession.class.isAssignableFrom(p.getType())) {
                continue; // Gogo passes the session itself
            }
            Parameter option = p.getAnnotation(Parameter.class);
            String label = label(p);
            if (option != null) {
                String name = Arrays.stream(option.names()).max(Comparator.comparingInt(String::length)).orElse("-?");
                options.add(Parameter.UNSPECIFIED.equals(option.presentValue()) ? "[" + name + " " + label + "]"
                        : "[" + name + "]");
            } else if (p.getType().isArray()) {
                positional.add("[" + label + "...]");
            } else {
                positional.add(label);
            }
        }
        options.addAll(positional);
        return options;
    }

    private static String label(java.lang.reflect.Parameter p) {
        Descriptor d = p.getAnnotation(Descriptor.class);
        if (d != null) {
            String values = d.value();
            String before;
            do { // innermost parentheses first
                before = values;
                values = values.replaceAll("\\s*\\([^()]*\\)", "");
            } while (!values.equals(before));
            values = values.trim();
            if (values.matches("[\\w-]+( \\| [\\w-]+)*")) {
                return values.replace(" | ", "|"); // its values, or the one word it must be (vbPtr)
            }
        }
        String name = p.isNamePresent() ? p.getName()
                : p.getType().getComponentType() == String.class || p.getType() == String.class ? "value"
                : p.getType().getSimpleName().replace("[]", "");
        return name.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }
}

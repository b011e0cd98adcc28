package org.mmlab.itest;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;

/**
 * Statements that call a command with bad arguments, for {@link ShellFuzzTest}: each has at least one
 * argument no command can take, or a number of arguments none of its methods takes.
 * <p>
 * Rules:
 * <ol>
 * <li>A wrong count: a number of positional arguments that no method of the command takes, each
 * argument bad.</li>
 * <li>A bad positional argument: a count the command takes, one argument bad and the others
 * plausible (a parameter that lists its values gets the first, a known name gets a value that
 * exists in the fuzzed lab), so that the checks behind the first argument are reached too.</li>
 * <li>A bad option value, beside plausible positional arguments.</li>
 * <li>Any text names a file: a FILE parameter or option value (--json FILE) is bad only when missing,
 * blank, a directory or in a directory that does not exist.</li>
 * </ol>
 */
final class BadArguments {

    /** Bad wherever a command takes a value: garbage, unicode, unset, of the wrong type, beyond 64 bits. */
    static final List<String> NEVER_VALID = List.of("'%$#@!'", "abc", "'a b'", "' '", "é", "日本語", "🎈", "'\u202e1'",
            "٣", "$nosuch", "null", "99999999999999999999", "-99999999999999999999", "1e309", "NaN", "0x", "0x1g",
            "[1 2]", "[a=b]", "{ echo x }");
    /** Bad as a positional argument of any of the lab's commands, though some option may take it (--seed -1). */
    static final List<String> BAD_POSITIONAL = List.of("''", "-1", "-4294967297", "4294967297", "9223372036854775808",
            "--");
    static final List<String> BAD_FILE = List.of("''", "' '", "$nosuch", "null", "/", "/proc/no-such-directory/kpf");

    /** Values that exist in the fuzzed lab, by parameter name. */
    private static final Map<String, String> PLAUSIBLE = Map.of("dev", "0", "pfn", "0x100", "order", "1", "name", "1");

    private BadArguments() {}

    /**
     * Every bad value once in every position of every method of the command, and each wrong count three
     * times; the arguments around the bad one are plausible where the fuzz knows a value, else bad ones
     * drawn from {@code random}.
     */
    static List<String> statements(ShellFuzzTest.LabCommands.Command command, Random random) {
        List<Signature> signatures = command.methods().stream().map(Signature::of).toList();
        List<String> statements = new ArrayList<>();
        for (int k : wrongCounts(signatures)) {
            for (int i = 0; i < 3; i++) {
                List<String> args = new ArrayList<>();
                for (int j = 0; j < k; j++) {
                    args.add(pick(random, random.nextBoolean() ? NEVER_VALID : BAD_POSITIONAL));
                }
                statements.add(statement(command, List.of(), args));
            }
        }
        for (Signature s : signatures) {
            List<java.lang.reflect.Parameter> params = s.positional();
            for (int i = 0; i < params.size(); i++) {
                for (String bad : badValues(params.get(i))) {
                    List<String> args = plausibleOrBad(command, params, random);
                    args.set(i, bad);
                    statements.add(statement(command, List.of(), args));
                }
            }
            for (java.lang.reflect.Parameter option : s.options()) {
                String name = pick(random, List.of(option.getAnnotation(Parameter.class).names()));
                for (String bad : option.getName().equals("file") ? BAD_FILE : NEVER_VALID) {
                    statements.add(statement(command, List.of(name, bad), plausibleOrBad(command, params, random)));
                }
            }
        }
        return statements;
    }

    /** Counts of positional arguments no method of the command takes, up to two more than the most it takes. */
    private static List<Integer> wrongCounts(List<Signature> signatures) {
        Set<Integer> taken = new TreeSet<>();
        int most = 0;
        int fewestWithVarargs = Integer.MAX_VALUE;
        for (Signature s : signatures) {
            int fixed = s.positional().size() - (s.varargs() ? 1 : 0);
            taken.add(fixed);
            most = Math.max(most, s.positional().size());
            fewestWithVarargs = s.varargs() ? Math.min(fewestWithVarargs, fixed) : fewestWithVarargs;
        }
        List<Integer> wrong = new ArrayList<>();
        for (int k = signatures.isEmpty() ? 1 : 0; k <= most + 2; k++) { // no methods: a Function, that takes none
            if (!taken.contains(k) && k < fewestWithVarargs) {
                wrong.add(k);
            }
        }
        return wrong;
    }

    private static List<String> plausibleOrBad(ShellFuzzTest.LabCommands.Command command,
            List<java.lang.reflect.Parameter> params, Random random) {
        List<String> args = new ArrayList<>();
        for (java.lang.reflect.Parameter p : params) {
            String good = plausible(command, p);
            args.add(good != null ? good : pick(random, badValues(p)));
        }
        return args;
    }

    private static String statement(ShellFuzzTest.LabCommands.Command command, List<String> options, List<String> args) {
        List<String> words = new ArrayList<>();
        words.add(command.name());
        words.addAll(options);
        words.addAll(args);
        return String.join(" ", words);
    }

    private static List<String> badValues(java.lang.reflect.Parameter p) {
        if (p.getName().equals("file")) {
            return BAD_FILE;
        }
        List<String> all = new ArrayList<>(NEVER_VALID);
        all.addAll(BAD_POSITIONAL);
        return all;
    }

    /** A value the parameter takes in the fuzzed lab, or null if the fuzz knows none. */
    private static String plausible(ShellFuzzTest.LabCommands.Command command, java.lang.reflect.Parameter p) {
        if (p.getType().isArray()) {
            return null;
        }
        Descriptor d = p.getAnnotation(Descriptor.class);
        if (d != null && d.value().matches("[\\w-]+( \\| .*)?")) {
            return d.value().split(" ")[0]; // the first of the values it lists, or the one keyword it is
        }
        return PLAUSIBLE.get(p.getName());
    }

    private static <T> T pick(Random random, List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    /** A method's options (Gogo's @Parameter with a value) and positional parameters, without the session. */
    record Signature(List<java.lang.reflect.Parameter> options, List<java.lang.reflect.Parameter> positional,
            boolean varargs) {
        static Signature of(Method m) {
            List<java.lang.reflect.Parameter> options = new ArrayList<>();
            List<java.lang.reflect.Parameter> positional = new ArrayList<>();
            for (java.lang.reflect.Parameter p : m.getParameters()) {
                Parameter option = p.getAnnotation(Parameter.class);
                if (CommandSession.class.isAssignableFrom(p.getType())) {
                    continue;
                }
                if (option == null) {
                    positional.add(p);
                } else if (Parameter.UNSPECIFIED.equals(option.presentValue())) {
                    options.add(p);
                }
            }
            return new Signature(options, positional, m.isVarArgs());
        }
    }
}

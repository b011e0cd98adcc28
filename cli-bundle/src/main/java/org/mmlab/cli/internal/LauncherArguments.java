package org.mmlab.cli.internal;

import java.util.List;

/**
 * The lab jar's own command line, {@code java -jar mmlab.jar [-c 'CMD; CMD' | FILE.gosh]}, as the bnd
 * launcher hands it over (its service property {@value #PROPERTY}): the same program ./mmlab gives as
 * framework properties, for where there is no ./mmlab (the OCI image's entrypoint is the jar).
 */
record LauncherArguments(String commands, String script, String error) {

    /** The bnd launcher's service property holding the arguments after {@code -jar mmlab.jar}. */
    static final String PROPERTY = "launcher.arguments";

    static final String USAGE = "usage: java -jar mmlab.jar [-c 'CMD; CMD' | FILE.gosh]";

    /** No arguments: the interactive lab. */
    static final LauncherArguments NONE = new LauncherArguments(null, null, null);

    static LauncherArguments of(List<String> args) {
        if (args.isEmpty()) {
            return NONE;
        }
        String first = args.get(0);
        if (first.equals("-c")) {
            return args.size() == 2 ? new LauncherArguments(args.get(1), null, null)
                    : wrong("-c takes one program, quoted as one argument");
        }
        if (first.startsWith("-")) {
            return wrong("unknown option " + first);
        }
        return args.size() == 1 ? new LauncherArguments(null, first, null) : wrong("one script file at most");
    }

    private static LauncherArguments wrong(String why) {
        return new LauncherArguments(null, null, why + "; " + USAGE);
    }
}

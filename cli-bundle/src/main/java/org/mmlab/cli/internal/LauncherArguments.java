package org.mmlab.cli.internal;

import java.util.List;

/**
 * The lab jar's own command line, {@code java -jar mmlab.jar [-c 'CMD; CMD' | FILE.gosh | -h]}, as the bnd
 * launcher hands it over (its service property {@value #PROPERTY}): the same program ./mmlab gives as
 * framework properties, for where there is no ./mmlab (the OCI image's entrypoint is the jar).
 */
record LauncherArguments(String commands, String script, String error, boolean help) {

    /** The bnd launcher's service property holding the arguments after {@code -jar mmlab.jar}. */
    static final String PROPERTY = "launcher.arguments";

    static final String USAGE = "usage: java -jar mmlab.jar [-c 'CMD; CMD' | FILE.gosh | -h]";

    /** What -h prints: ./mmlab -h's first lines, for the jar. */
    static final String HELP = """
            usage: java -jar mmlab.jar                 start the lab: Felix with every mmlab bundle and a Gogo shell
                   java -jar mmlab.jar -c 'CMD; CMD'   run Gogo statements without a prompt, print results, exit
                   java -jar mmlab.jar FILE.gosh       run a Gogo script (one statement per line, # comments) likewise
                   java -jar mmlab.jar -h              show this help

            -c and FILE exit 0 when every statement succeeded and 1 at the first that failed, said in
            one line; `exit N` ends them, or the interactive lab, with N. Start with `help` in the shell.""";

    /** No arguments: the interactive lab. */
    static final LauncherArguments NONE = new LauncherArguments(null, null, null, false);

    /** -h or --help: the help, and nothing run. */
    static final LauncherArguments HELP_ASKED = new LauncherArguments(null, null, null, true);

    static LauncherArguments of(List<String> args) {
        if (args.isEmpty()) {
            return NONE;
        }
        String first = args.get(0);
        if (first.equals("-c")) {
            return args.size() == 2 ? new LauncherArguments(args.get(1), null, null, false)
                    : wrong("-c takes one program, quoted as one argument");
        }
        if (first.equals("-h") || first.equals("--help")) {
            return args.size() == 1 ? HELP_ASKED : wrong(first + " takes nothing after it");
        }
        if (first.isBlank()) {
            return wrong("an empty argument is no script file");
        }
        if (first.startsWith("-")) {
            return wrong("unknown option " + first);
        }
        return args.size() == 1 ? new LauncherArguments(null, first, null, false) : wrong("one script file at most");
    }

    private static LauncherArguments wrong(String why) {
        return new LauncherArguments(null, null, why + "; " + USAGE, false);
    }
}

package org.mmlab.lab;

import java.util.List;

import org.mmlab.lab.internal.sched.Trace;

/**
 * What one run of a race did.
 *
 * @param race          the race's name
 * @param setup         what it ran against, as lab:race's options: "--contract C --policy P --variant V"
 * @param strategy      how it was scheduled, as lab:explore or lab:race would take it
 * @param reproduced    the race's report appeared (the race happened and was caught)
 * @param reports       the checker reports the run produced (dmesg excerpts, first line of each)
 * @param windowClosed  why the schedule could not go on as asked (a script's order that cannot happen,
 *                      a replay that left its trace), or null
 * @param unmet         a scripted run's edges whose order did not happen ("a@p#1 &lt; b@q#1"): empty when
 *                      the window opened (every edge happened in its order), and for other strategies
 * @param trace         the choices, as lab:replay takes them
 * @param events        the event of each choice, THREAD@POINT#N, in order (a run's own list, read from its trace,
 *                      makes each string when first asked for, and is kept as it is; any other is copied)
 * @param decisions     scheduling decisions made
 * @param failure       an exception a simulated thread died of, or a stuck run, or null
 */
public record RaceOutcome(String race, String setup, String strategy, boolean reproduced, List<String> reports,
        String windowClosed, List<String> unmet, String trace, List<String> events, long decisions, String failure) {
    public RaceOutcome {
        reports = List.copyOf(reports);
        unmet = List.copyOf(unmet);
        events = events instanceof Trace.Events ? events : List.copyOf(events);
    }

    /** The same run with one more failure (e.g. work the run should have done and did not). */
    public RaceOutcome failing(String why) {
        return new RaceOutcome(race, setup, strategy, reproduced, reports, windowClosed, unmet, trace, events,
                decisions, failure == null ? why : failure + "; " + why);
    }
}

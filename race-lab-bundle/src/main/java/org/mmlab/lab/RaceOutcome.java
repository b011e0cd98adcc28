package org.mmlab.lab;

import java.util.List;

/**
 * What one run of a race did.
 *
 * @param race          the race's name
 * @param setup         what it ran against, as lab:race's options: "--contract C --policy P --variant V"
 * @param strategy      how it was scheduled, as lab:explore or lab:race would take it
 * @param reproduced    the race's report appeared (the race happened and was caught)
 * @param reports       the checker reports the run produced (dmesg excerpts, first line of each)
 * @param windowClosed  the script's order could not happen (a fix removed the window), or null
 * @param trace         the choices, as lab:replay takes them
 * @param events        the event of each choice, THREAD@POINT#N, in order
 * @param decisions     scheduling decisions made
 * @param failure       an exception a simulated thread died of, or a stuck run, or null
 */
public record RaceOutcome(String race, String setup, String strategy, boolean reproduced, List<String> reports,
        String windowClosed, String trace, List<String> events, long decisions, String failure) {
    public RaceOutcome {
        reports = List.copyOf(reports);
        events = List.copyOf(events);
    }
}

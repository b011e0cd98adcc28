package org.mmlab.lab.internal.sched;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.mmlab.mm.lab.InjectionPoints;

/**
 * scripted(order): a partial order over events "THREAD@POINT" (its first pass; "#n" for the n-th,
 * "*" for any thread). "A &lt; B" holds B's thread at B's point until A happened. Whatever the order
 * leaves open is decided the same way every time (the current thread goes on; else the first in
 * order of creation), so a script makes its race happen on every run. If B waits for an A that no
 * thread can cause any more, the window is closed: the run reports it and goes on without the order.
 * So it is, too, when the one thread the script lets go on spins (it passes {@link #SPIN_LIMIT} points in
 * a row while the script holds the others): it waits for one of them, as remove_common() waits for
 * isolated pages, and holding them would livelock the run. A script names only points of the registry
 * ({@link InjectionPoints#known}) and threads of the run. After the run, {@link #unmet()} says which of
 * its edges did not happen in their order: none when the window opened.
 */
final class ScriptedStrategy implements Strategy {
    /** One "before &lt; after" of the script. */
    record Edge(String before, String after) {
        @Override
        public String toString() {
            return before + " < " + after;
        }
    }

    private final String text;
    private final List<Edge> edges = new ArrayList<>();
    private final List<Edge> open = new ArrayList<>();
    /** Edges whose before happened, and then their after: their order happened. */
    private final Set<Edge> met = new LinkedHashSet<>();
    private boolean relaxed;
    private String lastBlocked;
    private int spins;
    private SimThread spinner;

    /** Parses "a@p < b@q, c@r < d@s" (also chains: "a@p < b@q < c@r"). */
    ScriptedStrategy(String script) {
        this.text = script.trim();
        edges.addAll(edges(text));
        open.addAll(edges);
    }

    /** The edges of a script, each event with its "#n" (a clear error for anything else). */
    static List<Edge> edges(String script) {
        String text = script.trim();
        if (text.isEmpty()) {
            throw new IllegalArgumentException("an empty script: give events in order, e.g."
                    + " 'compaction@balloon.migrated < admin@start'");
        }
        List<Edge> out = new ArrayList<>();
        for (String chain : text.split("[,;]")) {
            String[] events = chain.split("<");
            if (events.length < 2) {
                throw new IllegalArgumentException("'" + chain.trim() + "' orders nothing: write BEFORE < AFTER");
            }
            for (int i = 0; i + 1 < events.length; i++) {
                out.add(new Edge(event(events[i]), event(events[i + 1])));
            }
        }
        return out;
    }

    private static String event(String s) {
        String e = s.trim();
        if (!e.matches("[\\w*.-]+@[\\w.:>&-]+(#\\d+)?")) {
            throw new IllegalArgumentException("'" + e + "' is not an event: THREAD@POINT or THREAD@POINT#N");
        }
        String point = e.substring(e.indexOf('@') + 1).replaceFirst("#\\d+$", "");
        if (!InjectionPoints.known(point)) {
            throw new IllegalArgumentException("'" + e + "': there is no injection point '" + point
                    + "' (InjectionPoints lists them)");
        }
        return e.contains("#") ? e : e + "#1";
    }

    static boolean matches(String pattern, String event) {
        int at = pattern.indexOf('@');
        if (pattern.startsWith("*@")) {
            return event.substring(event.indexOf('@')).equals(pattern.substring(at));
        }
        return event.equals(pattern);
    }

    /** Refuses a script that names a thread the run does not have. */
    @Override
    public void start(List<SimThread> threads) {
        List<String> names = threads.stream().map(t -> t.name).toList();
        for (Edge e : edges) {
            for (String event : List.of(e.before, e.after)) {
                String thread = event.substring(0, event.indexOf('@'));
                if (!thread.equals("*") && !names.contains(thread)) {
                    throw new IllegalArgumentException("'" + event + "': the run has no thread '" + thread
                            + "' (its threads: " + String.join(", ", names) + ")");
                }
            }
        }
    }

    @Override
    public SimThread pick(List<SimThread> waiting, SimThread current, int step) {
        if (spinner != null) {
            for (SimThread t : waiting) {
                if (t != spinner) {
                    spinner = null; // the window closed on a spin: the threads it held go first
                    return t;
                }
            }
        }
        SimThread first = null;
        boolean othersHeld = false;
        for (SimThread t : waiting) {
            if (relaxed || !held(t)) {
                if (t == current) {
                    first = t;
                    break;
                }
                if (first == null) {
                    first = t;
                }
            } else {
                othersHeld = true;
            }
        }
        if (first != null && first == current && othersHeld && ++spins > SPIN_LIMIT) {
            spins = 0;
            spinner = current;
            lastBlocked = current.name + " spins at " + current.at + " while the script holds the others";
            return null;
        }
        if (first != null && first != current) { // none may go on (a sleeper's turn comes next): not a switch
            spins = 0;
        }
        return first;
    }

    private boolean held(SimThread t) {
        String event = t.pendingEvent();
        for (Edge e : open) {
            if (matches(e.after, event)) {
                lastBlocked = t.name + " waits at " + t.at + " for " + e.before + ", which cannot come first";
                return true;
            }
        }
        return false;
    }

    @Override
    public void passed(SimThread t, String point, int n) {
        String event = Trace.event(t.name, point, n);
        for (Edge e : edges) {
            if (!open.contains(e) && matches(e.after, event)) {
                met.add(e);
            }
        }
        open.removeIf(e -> matches(e.before, event));
    }

    @Override
    public String relax() {
        relaxed = true;
        return "window closed: " + lastBlocked;
    }

    /** The edges of the script whose order did not happen in the run: their after came first, or never. */
    @Override
    public List<String> unmet() {
        List<String> out = new ArrayList<>();
        for (Edge e : edges) {
            if (!met.contains(e)) {
                out.add(e.toString());
            }
        }
        return out;
    }

    @Override
    public String describe() {
        return "scripted '" + text + "'";
    }
}

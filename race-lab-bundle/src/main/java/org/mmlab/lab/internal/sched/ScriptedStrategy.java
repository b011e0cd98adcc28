package org.mmlab.lab.internal.sched;

import java.util.ArrayList;
import java.util.List;

/**
 * scripted(order): a partial order over events "THREAD@POINT" (its first pass; "#n" for the n-th,
 * "*" for any thread). "A &lt; B" holds B's thread at B's point until A happened. Whatever the order
 * leaves open is decided the same way every time (the current thread goes on; else the first in
 * order of creation), so a script makes its race happen on every run. If B waits for an A that no
 * thread can cause any more, the window is closed: the run reports it and goes on without the order.
 * So it is, too, when the one thread the script lets go on spins (it passes {@link #SPIN_LIMIT} points in
 * a row while the script holds the others): it waits for one of them, as remove_common() waits for
 * isolated pages, and holding them would livelock the run.
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
    /** Points in a row the only thread the script lets go on may pass before it counts as spinning. */
    static final int SPIN_LIMIT = 10_000;

    private boolean relaxed;
    private String lastBlocked;
    private int spins;
    private SimThread spinner;

    /** Parses "a@p < b@q, c@r < d@s" (also chains: "a@p < b@q < c@r"). */
    ScriptedStrategy(String script) {
        this.text = script.trim();
        if (text.isEmpty()) {
            throw new IllegalArgumentException("an empty script: give events in order, e.g. 'compaction@isolated < admin@unload'");
        }
        for (String chain : text.split("[,;]")) {
            String[] events = chain.split("<");
            if (events.length < 2) {
                throw new IllegalArgumentException("'" + chain.trim() + "' orders nothing: write BEFORE < AFTER");
            }
            for (int i = 0; i + 1 < events.length; i++) {
                edges.add(new Edge(event(events[i]), event(events[i + 1])));
            }
        }
        open.addAll(edges);
    }

    private static String event(String s) {
        String e = s.trim();
        if (!e.matches("[\\w*.-]+@[\\w.:-]+(#\\d+)?")) {
            throw new IllegalArgumentException("'" + e + "' is not an event: THREAD@POINT or THREAD@POINT#N");
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
            if (relaxed || !held(t.pendingEvent())) {
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
        if (first != current) {
            spins = 0;
        }
        return first;
    }

    private boolean held(String event) {
        for (Edge e : open) {
            if (matches(e.after, event)) {
                lastBlocked = e.toString();
                return true;
            }
        }
        return false;
    }

    @Override
    public void passed(SimThread t, String event) {
        open.removeIf(e -> matches(e.before, event));
    }

    @Override
    public String relax() {
        relaxed = true;
        return "window closed: " + lastBlocked + " can no longer happen in that order (open: " + open + ")";
    }

    /** The edges of the script no run satisfied yet. */
    List<Edge> open() {
        return List.copyOf(open);
    }

    @Override
    public String describe() {
        return "scripted '" + text + "'";
    }
}

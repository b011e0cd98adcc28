package org.mmlab.lab.internal.sched;

import java.util.List;

/**
 * replay(trace): the thread the trace names at each decision; if it is not at a point yet (blocked on
 * the host, a lock), the run waits for it as a script does. Past the end of the trace, the current
 * thread goes on (or the first waiting one), so a shortened trace still runs to the end.
 */
final class ReplayStrategy implements Strategy {
    private final List<String> choices;
    private final String text;
    private String diverged;
    private boolean relaxed;

    ReplayStrategy(String trace) {
        this.choices = Trace.decode(trace);
        this.text = trace;
    }

    ReplayStrategy(List<String> choices) {
        this.choices = List.copyOf(choices);
        this.text = Trace.encode(choices);
    }

    @Override
    public SimThread pick(List<SimThread> waiting, SimThread current, int step) {
        if (step < choices.size()) {
            for (SimThread t : waiting) {
                if (t.name.equals(choices.get(step))) {
                    return t;
                }
            }
            if (!relaxed) {
                diverged = "step " + step + ": the trace chooses " + choices.get(step) + ", which is not waiting ("
                        + waiting + ")";
                return null; // it may be blocked, and come back: the scheduler waits for it a while
            }
        }
        return current != null && waiting.contains(current) ? current : waiting.get(0);
    }

    @Override
    public String relax() {
        relaxed = true;
        return "replay diverged at " + diverged;
    }

    /** Why the run left the trace, or null if it followed it. */
    String diverged() {
        return diverged;
    }

    @Override
    public String describe() {
        return "replay '" + text + "'";
    }
}

package org.mmlab.lab.internal;

import java.util.ArrayList;
import java.util.List;

import org.mmlab.lab.RaceOutcome;
import org.mmlab.lab.internal.sched.Strategies;
import org.mmlab.lab.internal.sched.Trace;

/**
 * Shrinks a failing trace to the fewest thread switches that still make the race happen (delta
 * debugging over switches, after cutting the trace to its shortest failing prefix), and writes the
 * result as a script: each switch that remains is one "A &lt; B" of the partial order.
 */
public final class TraceShrinker {
    /** Runs of the race a shrink may spend. */
    static final int MAX_RUNS = 60;

    private final RaceBatch lab;
    private final Race race;
    private final Setup setup;
    private int runs;

    /** Its runs are runs of the batch. */
    TraceShrinker(RaceBatch batch) {
        this.lab = batch;
        this.race = batch.race();
        this.setup = batch.setup();
    }

    /** The shrunk trace and its script; the input must reproduce the race. */
    public record Shrunk(String trace, String script, int switches, int runs) {
    }

    Shrunk shrink(String trace) throws Exception {
        List<String> choices = Trace.decode(trace);
        if (!fails(choices)) {
            throw new IllegalArgumentException("the trace does not reproduce " + race.name() + " under "
                    + setup + ": nothing to shrink");
        }
        // the shortest failing prefix: past it, the current thread simply goes on
        int lo = 0;
        int hi = choices.size();
        while (lo < hi && runs < MAX_RUNS) {
            int mid = (lo + hi) / 2;
            if (fails(choices.subList(0, mid))) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        List<String> best = new ArrayList<>(choices.subList(0, hi));
        // then each switch that is not needed: the thread before it keeps going instead
        boolean progress = true;
        while (progress && runs < MAX_RUNS) {
            progress = false;
            for (int i = best.size() - 1; i > 0 && runs < MAX_RUNS; i--) {
                if (!best.get(i).equals(best.get(i - 1))) {
                    List<String> candidate = withoutSwitch(best, i);
                    if (fails(candidate)) {
                        best = candidate;
                        progress = true;
                    }
                }
            }
        }
        RaceOutcome last = lab.run(replay(Trace.encode(best)));
        return new Shrunk(Trace.encode(best), script(Trace.decode(last.trace()), last.events()), switches(best), runs);
    }

    /** The run from switch i on given to the thread that ran before it, up to the next switch. */
    private static List<String> withoutSwitch(List<String> choices, int i) {
        List<String> out = new ArrayList<>(choices);
        String keep = choices.get(i - 1);
        String removed = choices.get(i);
        for (int j = i; j < out.size() && out.get(j).equals(removed); j++) {
            out.set(j, keep);
        }
        return out;
    }

    private boolean fails(List<String> choices) throws Exception {
        runs++;
        return lab.run(replay(Trace.encode(choices))).reproduced();
    }

    private static StrategySpec replay(String trace) {
        return StrategySpec.of(() -> Strategies.replay(trace), "replay '" + trace + "'");
    }

    static int switches(List<String> choices) {
        int n = 0;
        for (int i = 1; i < choices.size(); i++) {
            if (!choices.get(i).equals(choices.get(i - 1))) {
                n++;
            }
        }
        return n;
    }

    /**
     * The script of a run: at each switch from X to Y, Y's event there happened before X's next one
     * ("Y@q#k < X@p#m"). A switch after which X never runs again orders nothing.
     */
    static String script(List<String> choices, List<String> events) {
        List<String> edges = new ArrayList<>();
        for (int i = 1; i < choices.size() && i < events.size(); i++) {
            String x = choices.get(i - 1);
            if (x.equals(choices.get(i))) {
                continue;
            }
            for (int j = i + 1; j < choices.size() && j < events.size(); j++) {
                if (choices.get(j).equals(x)) {
                    edges.add(events.get(i) + " < " + events.get(j));
                    break;
                }
            }
        }
        return String.join(", ", edges);
    }
}

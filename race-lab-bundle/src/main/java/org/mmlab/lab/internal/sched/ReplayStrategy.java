package org.mmlab.lab.internal.sched;

import java.util.List;

/**
 * replay(trace): the thread the trace names at each decision; if it is not at a point yet (blocked on
 * the host, in a sleep), the run waits for it however long that takes (up to 20 s, a bound for a hang),
 * unless it waits for a lock a stopped thread holds: then it cannot come, and the replay diverged. Past
 * the end of the trace, the thread that ran last goes on until it ends, and the run waits for it when it
 * blocks too, so a shortened trace runs the same way however long a blocking call takes (lab:shrink
 * depends on it); then, or when it sleeps (msleep(): the scheduler offers the others), the first waiting
 * thread in order of creation. A thread that passes {@link Strategy#SPIN_LIMIT} points in a row there
 * while others wait is spinning (it waits for one of them, as remove_common() waits for isolated pages),
 * and one that stays blocked as long as the scheduler waits is waiting for a parked one: the first other
 * waiting thread goes on.
 */
final class ReplayStrategy implements Strategy {
    private final List<String> choices;
    private final String text;
    private String diverged;
    /** Why the last decision inside the trace found no thread to choose: the divergence, if the run gives up on it. */
    private String notWaiting;
    private boolean relaxed;
    /** The thread chosen at the last decision. */
    private SimThread last;
    /** Decisions in a row past the end that kept the last thread while others waited. */
    private int spins;
    /** Past the end, the run waits for the last thread, blocked; after relax() the others go on. */
    private boolean tailWaits;
    private boolean handOn;
    /**
     * The thread the trace names is blocked outside a point: it was at one at this step when the trace was
     * recorded, so it comes back (from the host, a sleep), however long the machine takes; the run waits for
     * it up to {@link #TRACED_PATIENCE_NS}, a bound for a hang only.
     */
    private boolean waitsForTraced;
    static final long TRACED_PATIENCE_NS = 20_000_000_000L;

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
        waitsForTraced = step < choices.size();
        SimThread next = waitsForTraced ? traced(waiting, current, step) : tail(waiting);
        if (next != null) {
            last = next;
            tailWaits = false;
        }
        return next;
    }

    private SimThread traced(List<SimThread> waiting, SimThread current, int step) {
        for (SimThread t : waiting) {
            if (t.name.equals(choices.get(step))) {
                return t;
            }
        }
        if (!relaxed) {
            notWaiting = "step " + step + ": the trace chooses " + choices.get(step) + ", which is not waiting ("
                    + waiting + ")";
            return null; // it may be blocked (or asleep), and come back: the scheduler waits for it a while
        }
        return current != null && waiting.contains(current) ? current : waiting.get(0);
    }

    private SimThread tail(List<SimThread> waiting) {
        if (last == null || last.status == SimThread.Status.DONE) {
            spins = 0;
            return waiting.get(0);
        }
        if (waiting.contains(last)) {
            if (waiting.size() > 1 && ++spins > SPIN_LIMIT) {
                return other(waiting);
            }
            return last;
        }
        if (last.status == SimThread.Status.WAITING) { // asleep at a point: the others go on meanwhile
            return other(waiting);
        }
        if (handOn) { // it stayed blocked as long as the scheduler waits: on a thread parked at a point
            handOn = false;
            return other(waiting);
        }
        tailWaits = true;
        return null; // blocked outside a point (the host, a lock): it comes back, and goes on
    }

    /** The first waiting thread other than the last one. */
    private SimThread other(List<SimThread> waiting) {
        spins = 0;
        for (SimThread t : waiting) {
            if (t != last) {
                return t;
            }
        }
        return waiting.get(0);
    }

    @Override
    public long patienceNs() {
        return waitsForTraced ? TRACED_PATIENCE_NS : Strategy.super.patienceNs();
    }

    @Override
    public String relax() {
        if (tailWaits) {
            tailWaits = false;
            handOn = true;
            return "past the trace's end, " + last.name + " stayed blocked: the others went on";
        }
        relaxed = true;
        diverged = notWaiting;
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

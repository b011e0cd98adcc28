package org.mmlab.lab.internal.sched;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;
import java.util.function.Predicate;

/**
 * What a run did, decision by decision: which thread went on, past which point. Its text form
 * ("compaction*3 admin compaction*2 ...") is what lab:replay takes: the thread chosen at each decision,
 * runs of the same thread folded. Blocks the watchdog saw are kept for the reader, not replayed.
 *
 * <p>A decision is kept as its thread, point and pass, not as its event's text: a run of race 8 makes 7,400 of
 * them, and only a report, a failing run or a test reads their events ({@link #eventList()} builds each on first use).
 */
public final class Trace {
    /** One decision, or a block. */
    public record Step(String thread, String event, boolean blocked) {
    }

    /** A block's pass. */
    private static final int BLOCKED = 0;

    private String[] threads = new String[64];
    private String[] points = new String[64];
    /** The pass of the point (NAME@POINT#n's n, from 1), or BLOCKED. */
    private int[] passes = new int[64];
    private int size;
    private int decisions;

    /** A decision: thread passes point for the n-th time (n from 1). */
    void add(String thread, String point, int n) {
        grow();
        threads[size] = thread;
        points[size] = point;
        passes[size++] = n;
        decisions++;
    }

    void blocked(String thread) {
        grow();
        threads[size] = thread;
        points[size] = null;
        passes[size++] = BLOCKED;
    }

    private void grow() {
        if (size == threads.length) {
            threads = Arrays.copyOf(threads, size * 2);
            points = Arrays.copyOf(points, size * 2);
            passes = Arrays.copyOf(passes, size * 2);
        }
    }

    /** The event of a decision: NAME@POINT#n. */
    public static String event(String thread, String point, int n) {
        return thread + "@" + point + "#" + n;
    }

    private String eventAt(int i) {
        return passes[i] == BLOCKED ? threads[i] + "@blocked" : event(threads[i], points[i], passes[i]);
    }

    public List<Step> steps() {
        List<Step> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(new Step(threads[i], eventAt(i), passes[i] == BLOCKED));
        }
        return List.copyOf(out);
    }

    /** The threads chosen, decision by decision (blocks left out). */
    public List<String> choices() {
        List<String> out = new ArrayList<>(decisions);
        for (int i = 0; i < size; i++) {
            if (passes[i] != BLOCKED) {
                out.add(threads[i]);
            }
        }
        return out;
    }

    /** The choices as lab:replay reads them: "a*3 b a*2". */
    public String text() {
        return encode(choices());
    }

    /**
     * The event of each decision, NAME@POINT#n, in order (blocks left out), as an unmodifiable list of the decisions
     * so far whose strings are made on first use.
     */
    public Events eventList() {
        return new Events(threads, points, passes, size, decisions);
    }

    /** A run's events, read from its trace: each string made when first asked for. */
    public static final class Events extends AbstractList<String> implements RandomAccess {
        private final String[] threads;
        private final String[] points;
        private final int[] passes;
        /** The decisions' indices in the arrays (blocks skipped), or null when there were none. */
        private final int[] index;
        private final String[] made;

        private Events(String[] threads, String[] points, int[] passes, int size, int decisions) {
            this.threads = threads;
            this.points = points;
            this.passes = passes;
            int[] idx = null;
            if (decisions < size) {
                idx = new int[decisions];
                for (int i = 0, j = 0; i < size; i++) {
                    if (passes[i] != BLOCKED) {
                        idx[j++] = i;
                    }
                }
            }
            this.index = idx;
            this.made = new String[decisions];
        }

        @Override
        public String get(int i) {
            String e = made[i]; // a race between two readers makes the same string twice: harmless
            if (e == null) {
                int at = index == null ? i : index[i];
                e = event(threads[at], points[at], passes[at]);
                made[i] = e;
            }
            return e;
        }

        @Override
        public int size() {
            return made.length;
        }

        /** Whether thread passed a point that point accepts (an event THREAD@POINT#1), without making any string. */
        public boolean passed(String thread, Predicate<String> point) {
            for (int i = 0; i < made.length; i++) {
                int at = index == null ? i : index[i];
                if (threads[at].equals(thread) && point.test(points[at])) {
                    return true;
                }
            }
            return false;
        }
    }

    public static String encode(List<String> choices) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < choices.size();) {
            int j = i;
            while (j < choices.size() && choices.get(j).equals(choices.get(i))) {
                j++;
            }
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(choices.get(i));
            if (j - i > 1) {
                sb.append('*').append(j - i);
            }
            i = j;
        }
        return sb.toString();
    }

    /** The inverse of {@link #text()}; a clear error for anything else. */
    public static List<String> decode(String text) {
        List<String> out = new ArrayList<>();
        for (String tok : text.trim().split("\\s+")) {
            if (tok.isEmpty()) {
                continue;
            }
            int star = tok.indexOf('*');
            String name = star < 0 ? tok : tok.substring(0, star);
            int n = 1;
            if (star >= 0) {
                try {
                    n = Integer.parseInt(tok.substring(star + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad trace step '" + tok + "': expected NAME or NAME*COUNT");
                }
            }
            if (name.isEmpty() || n < 1) {
                throw new IllegalArgumentException("bad trace step '" + tok + "': expected NAME or NAME*COUNT");
            }
            for (int i = 0; i < n; i++) {
                out.add(name);
            }
        }
        return out;
    }

    /** Every step with its event, one per line, for a report. */
    public String events() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < size; i++) {
            sb.append(String.format("%5d  %s%n", i, eventAt(i)));
        }
        return sb.toString();
    }
}

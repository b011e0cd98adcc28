package org.mmlab.lab.internal.sched;

import java.util.ArrayList;
import java.util.List;

/**
 * What a run did, decision by decision: which thread went on, past which point. Its text form
 * ("compaction*3 admin compaction*2 ...") is what lab:replay takes: the thread chosen at each decision,
 * runs of the same thread folded. Blocks the watchdog saw are kept for the reader, not replayed.
 */
public final class Trace {
    /** One decision, or a block. */
    public record Step(String thread, String event, boolean blocked) {
    }

    private final List<Step> steps = new ArrayList<>();

    void add(String thread, String event) {
        steps.add(new Step(thread, event, false));
    }

    void blocked(String thread) {
        steps.add(new Step(thread, thread + "@blocked", true));
    }

    public List<Step> steps() {
        return List.copyOf(steps);
    }

    /** The threads chosen, decision by decision (blocks left out). */
    public List<String> choices() {
        List<String> out = new ArrayList<>();
        for (Step s : steps) {
            if (!s.blocked) {
                out.add(s.thread);
            }
        }
        return out;
    }

    /** The choices as lab:replay reads them: "a*3 b a*2". */
    public String text() {
        return encode(choices());
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
        for (int i = 0; i < steps.size(); i++) {
            sb.append(String.format("%5d  %s%n", i, steps.get(i).event));
        }
        return sb.toString();
    }
}

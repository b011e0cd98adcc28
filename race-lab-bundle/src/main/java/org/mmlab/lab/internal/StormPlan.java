package org.mmlab.lab.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The cycles of a storm, from its seed: each cycle one family and one operation, and one cycle in four
 * (when there are two families or more) two families at once, each with its own operation. The same
 * seed, families and operations give the same cycles.
 */
final class StormPlan {
    /** One cycle in this many runs operations on two families at once. */
    static final int TWO_AT_ONCE = 4;

    private StormPlan() {
    }

    static List<List<StormOp>> cycles(long seed, int n, List<String> families, List<StormOp.Kind> kinds) {
        Random rnd = new Random(seed);
        List<List<StormOp>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int first = rnd.nextInt(families.size());
            List<StormOp> ops = new ArrayList<>(2);
            ops.add(new StormOp(kinds.get(rnd.nextInt(kinds.size())), families.get(first)));
            if (families.size() > 1 && rnd.nextInt(TWO_AT_ONCE) == 0) {
                int second = (first + 1 + rnd.nextInt(families.size() - 1)) % families.size();
                ops.add(new StormOp(kinds.get(rnd.nextInt(kinds.size())), families.get(second)));
            }
            out.add(List.copyOf(ops));
        }
        return out;
    }
}

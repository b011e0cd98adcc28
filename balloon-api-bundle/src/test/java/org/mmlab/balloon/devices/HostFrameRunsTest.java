package org.mmlab.balloon.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.Hypervisor;
import org.mmlab.mm.MemoryManager;

/** A host's frames in runs end as one call a frame would: the frames before a refused one went through, it throws. */
class HostFrameRunsTest {
    private final BitSet otherHostHolds = new BitSet();
    private final BitSet held = new BitSet();
    private final List<String> runs = new ArrayList<>();

    /** mm-core's four host calls over two bit sets: this host's frames and another host's. */
    private final MemoryManager mm = (MemoryManager) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {MemoryManager.class}, (proxy, method, args) -> {
                switch (method.getName()) {
                    case "hostDiscardFrames": {
                        int[] pfns = (int[]) args[0];
                        for (int i = (int) args[1]; i < (int) args[2]; i++) {
                            if (otherHostHolds.get(pfns[i])) {
                                return i;
                            }
                            held.set(pfns[i]);
                        }
                        return args[2];
                    }
                    case "hostDiscardFrame":
                        throw new IllegalStateException("pfn " + args[0] + " another host holds");
                    case "hostPopulateFrames": {
                        int[] pfns = (int[]) args[0];
                        for (int i = (int) args[1]; i < (int) args[2]; i++) {
                            if (!held.get(pfns[i])) {
                                return i;
                            }
                            held.clear(pfns[i]);
                        }
                        return args[2];
                    }
                    case "hostPopulateFrame":
                        throw new IllegalStateException("pfn " + args[0] + ": no host holds it");
                    default:
                        throw new UnsupportedOperationException(method.getName());
                }
            });

    @Test
    void framesBeforeARefusedOneAreTakenAndTheRefusedOneSaysWhy() {
        otherHostHolds.set(12);
        int[] pfns = {10, 11, 12, 13};

        assertThatThrownBy(() -> HostFrameRuns.discard(mm, (Hypervisor) null, pfns, 0, 4,
                (from, to) -> runs.add(from + ".." + to))).hasMessage("pfn 12 another host holds");

        assertThat(runs).containsExactly("0..2");
        assertThat(held.stream().toArray()).containsExactly(10, 11);
    }

    @Test
    void aWholeRunGivenBackIsOneRun() {
        int[] pfns = {3, 4, 5};
        HostFrameRuns.discard(mm, null, pfns, 0, 3, (from, to) -> runs.add("taken " + from + ".." + to));
        HostFrameRuns.populate(mm, pfns, 1, 3, (from, to) -> runs.add("backed " + from + ".." + to));

        assertThat(runs).containsExactly("taken 0..3", "backed 1..3");
        assertThat(held.stream().toArray()).containsExactly(3);
        assertThatThrownBy(() -> HostFrameRuns.populate(mm, pfns, 0, 3, (from, to) -> runs.add("backed " + from + ".." + to)))
                .hasMessage("pfn 4: no host holds it");
        assertThat(runs).endsWith("backed 0..1");
    }
}

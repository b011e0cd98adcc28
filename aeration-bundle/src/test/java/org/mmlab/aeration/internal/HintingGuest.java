package org.mmlab.aeration.internal;

import java.lang.reflect.Proxy;
import java.util.List;

import org.mmlab.mm.Mm;
import org.mmlab.mm.admin.CheckResult;
import org.mmlab.mm.hinting.PageAllocHinting;
import org.mmlab.mm.internal.MmCheck;
import org.mmlab.mm.internal.MmCore;

/** A booted mm-core (the real memory manager, as DS activates it) and a design's view of it, outside the framework. */
final class HintingGuest implements AutoCloseable {
    final MmCore mm;
    final PageAllocHinting core;
    final Kernel kernel;

    /** A guest of memorySize (DMA32 is half of it); kcompactd stopped, so that only the test frees and allocates. */
    HintingGuest(String memorySize, String dma32Size) {
        MmCore.Config config = (MmCore.Config) Proxy.newProxyInstance(MmCore.Config.class.getClassLoader(),
                new Class<?>[] {MmCore.Config.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "memorySize" -> memorySize;
                    case "dma32Size" -> dma32Size;
                    default -> method.getDefaultValue();
                });
        mm = new MmCore(config);
        mm.guest().compaction().kcompactd().stop();
        core = mm.guest().hinting();
        kernel = new Kernel(core, mm, mm, new HintingStats());
    }

    /** Free blocks of at least this order in every zone, and how many of them satisfy the predicate. */
    long[] freeBlocks(int fromOrder, java.util.function.IntPredicate marked) {
        long blocks = 0;
        long hits = 0;
        for (int z = 0; z < core.nrZones(); z++) {
            core.spinLock(z);
            try {
                for (int o = fromOrder; o <= Mm.MAX_PAGE_ORDER; o++) {
                    for (int mt = 0; mt < org.mmlab.mm.MigrateType.values().length; mt++) {
                        int head = core.freeList(z, o, mt);
                        for (int id = core.listNext(head); id != head; id = core.listNext(id)) {
                            blocks++;
                            hits += marked.test(id) ? 1 : 0;
                        }
                    }
                }
            } finally {
                core.spinUnlock(z);
            }
        }
        return new long[] {blocks, hits};
    }

    /** mm:check's verdict and text, with the design's own invariants as its contributor. */
    CheckResult check() {
        return MmCheck.run(mm.guest(), null);
    }

    /** Waits until the thread waits (on a lock, a latch, a sleep) or has ended: then it cannot go on by itself. */
    static void awaitStuckOrDone(Thread t) throws InterruptedException {
        while (true) {
            Thread.State s = t.getState();
            if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.BLOCKED
                    || s == Thread.State.TERMINATED) {
                return;
            }
            Thread.sleep(1);
        }
    }

    /** dmesg without the timestamps. */
    List<String> dmesg() {
        return mm.guest().dmesg().lines().stream().map(l -> l.replaceFirst("^\\[[ 0-9.]+\\] ", "")).toList();
    }

    @Override
    public void close() {
        mm.workload().stop();
    }
}

package org.mmlab.aeration.internal;

import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.hinting.PageAllocHinting;
import org.mmlab.mm.lab.MmLab;

/**
 * What a design runs against: the guest's page allocator side of hinting, its memory manager (printk,
 * lists), the race lab's points and use-after-unload checker, and the design's own counters.
 */
record Kernel(PageAllocHinting core, MemoryManager mm, MmLab lab, HintingStats stats) {
    /** The WARN_ON() splat of a design's file and function, as the kernel prints it (taints 'W'). */
    void warn(String condition, String file, String function) {
        mm.printk(String.format("------------[ cut here ]------------%nWARNING: CPU: 0 PID: %d at %s %s: %s",
                Thread.currentThread().getId(), file, function, condition));
    }

    /**
     * A NULL pointer dereference in a design's function: the oops, and the task dies (here: the exception
     * unwinds it, letting go of what it holds so that the lab can go on and show what it lost).
     */
    IllegalStateException oops(String function, String what) {
        mm.printk(String.format("BUG: kernel NULL pointer dereference, address: 0000000000000008%n#PF: supervisor read"
                + " access in kernel mode%nOops: 0000 [#1] SMP NOPTI%nRIP: 0010:%s (%s)", function, what));
        return new IllegalStateException("BUG: kernel NULL pointer dereference in " + function + ": " + what);
    }
}

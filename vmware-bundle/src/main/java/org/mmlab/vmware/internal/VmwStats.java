package org.mmlab.vmware.internal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Models struct vmballoon_stats and the debugfs file vmmemctl of vmw_balloon.c (v6.18.2): backdoor
 * commands with their failures, the timer, doorbell, reset and shrink counts, and per page size the
 * pages allocated, allocations failed, pages the hypervisor refused (errAlloc), refused-page releases
 * (errFree) and pages freed. As in the kernel, nothing is counted until the first read of vmmemctl
 * enables the statistics (the static key balloon_stat_enabled and a kzalloc()), and unloading the
 * driver disables and frees them.
 */
final class VmwStats {
    /** enum vmballoon_stat_general, with vmballoon_stat_names[]. */
    enum General {
        TIMER("timer"), DOORBELL("doorbell"), RESET("reset"), SHRINK("shrink"), SHRINK_FREE("shrinkFree");

        final String text;

        General(String text) {
            this.text = text;
        }
    }

    /** enum vmballoon_stat_page, with vmballoon_stat_page_names[]. */
    enum Page {
        ALLOC("alloc"), ALLOC_FAIL("allocFail"), REFUSED_ALLOC("errAlloc"), REFUSED_FREE("errFree"), FREE("free");

        final String text;

        Page(String text) {
            this.text = text;
        }
    }

    /** b->stats is set and balloon_stat_enabled on: is_vmballoon_stats_on(). */
    private volatile boolean enabled;
    /** ops[VMW_BALLOON_CMD_NUM][VMW_BALLOON_OP_STAT_TYPES]: total, failed. */
    private final AtomicLongArray ops = new AtomicLongArray(Protocol.VMW_BALLOON_CMD_NUM * 2);
    private final AtomicLongArray general = new AtomicLongArray(General.values().length);
    private final AtomicLongArray page = new AtomicLongArray(Page.values().length * PageSize.values().length);

    boolean enabled() {
        return enabled;
    }

    /** vmballoon_enable_stats(), under conf_sem held for writing: from now on everything counts, from 0. */
    void enable() {
        enabled = true;
    }

    /** vmballoon_debugfs_exit(): static_key_disable() and kfree(b->stats). */
    void disable() {
        enabled = false;
        for (int i = 0; i < ops.length(); i++) {
            ops.set(i, 0);
        }
        for (int i = 0; i < general.length(); i++) {
            general.set(i, 0);
        }
        for (int i = 0; i < page.length(); i++) {
            page.set(i, 0);
        }
    }

    /** vmballoon_stats_op_inc(). */
    void opInc(int cmd, boolean failed) {
        if (enabled) {
            ops.incrementAndGet(cmd * 2 + (failed ? 1 : 0));
        }
    }

    /** vmballoon_stats_gen_inc() / _add(). */
    void genAdd(General stat, long val) {
        if (enabled) {
            general.addAndGet(stat.ordinal(), val);
        }
    }

    /** vmballoon_stats_page_inc() / _add(). */
    void pageAdd(Page stat, PageSize size, long val) {
        if (enabled) {
            page.addAndGet(stat.ordinal() * PageSize.values().length + size.ordinal(), val);
        }
    }

    long op(int cmd, boolean failed) {
        return ops.get(cmd * 2 + (failed ? 1 : 0));
    }

    long general(General stat) {
        return general.get(stat.ordinal());
    }

    long page(Page stat, PageSize size) {
        return page.get(stat.ordinal() * PageSize.values().length + size.ordinal());
    }

    /**
     * vmballoon_debug_show()'s text, byte for byte as its seq_printf() formats print it: the requested
     * capabilities, those in use, whether a reset is pending, target and size in frames, then the counters.
     */
    String show(long usedCapabilities, boolean resetRequired, long target, long size) {
        StringBuilder f = new StringBuilder();
        f.append(String.format("%-22s: %16s\n", "balloon capabilities", hex(Protocol.VMW_BALLOON_CAPABILITIES)));
        f.append(String.format("%-22s: %16s\n", "used capabilities", hex(usedCapabilities)));
        f.append(String.format("%-22s: %16s\n", "is resetting", resetRequired ? "y" : "n"));
        f.append(String.format("%-22s: %16d\n", "target", target));
        f.append(String.format("%-22s: %16d\n", "current", size));
        for (int i = 0; i < Protocol.VMW_BALLOON_CMD_NUM; i++) {
            if (Protocol.CMD_NAMES[i] != null) {
                f.append(String.format("%-22s: %16d (%d failed)\n", Protocol.CMD_NAMES[i], op(i, false), op(i, true)));
            }
        }
        for (General g : General.values()) {
            f.append(String.format("%-22s: %16d\n", g.text, general(g)));
        }
        for (Page p : Page.values()) {
            for (PageSize s : PageSize.values()) {
                f.append(String.format("%-18s(%s): %16d\n", p.text, s.text, page(p, s)));
            }
        }
        return f.toString();
    }

    /** C's %#x: "0x" and the digits, but a bare "0" for zero. */
    private static String hex(long v) {
        return v == 0 ? "0" : "0x" + Long.toHexString(v);
    }
}

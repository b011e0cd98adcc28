package org.mmlab.xen.internal;

import java.util.function.Consumer;

import org.mmlab.mm.PageType;

/**
 * mm:check's view of one XEN balloon (not in the kernel), with the machine stopped: ballooned_pages holds
 * balloon_low pages, as many as its balloon device, each PageOffline with its frame the hypervisor's; the
 * hypervisor holds those frames and the lent ones, no more; current_pages is total_pages less both; and no
 * guest access hit a frame the hypervisor held.
 */
final class XenDeviceCheck {
    private XenDeviceCheck() {
    }

    static void check(XenBalloon b, Consumer<String> summary, Consumer<String> problems) {
        XenBalloon.Stats s = b.stats();
        XenHypervisor.View v = b.hypervisor.view();
        long onDevice = b.bDevInfo.nrPages() + b.bDevInfo.isolatedPages();
        summary.accept(String.format("ballooned %d pages, %d lent to backends (target %d, current %d of %d pages, %s);"
                + " the hypervisor holds %d", s.balloonLow(), s.lent(), s.targetPages(), s.currentPages(),
                s.totalPages(), s.state(), v.held()));
        if (onDevice != s.balloonLow()) {
            problems.accept(String.format("balloon_low is %d, but its balloon device has %d pages", s.balloonLow(),
                    onDevice));
        }
        if (v.held() != s.balloonLow() + s.lent()) {
            problems.accept(String.format("the hypervisor holds %d frames, but %d are ballooned and %d lent", v.held(),
                    s.balloonLow(), s.lent()));
        }
        if (s.currentPages() != s.totalPages() - s.balloonLow() - s.lent()) {
            problems.accept(String.format("current_pages is %d, but %d - %d ballooned - %d lent is %d", s.currentPages(),
                    s.totalPages(), s.balloonLow(), s.lent(), s.totalPages() - s.balloonLow() - s.lent()));
        }
        for (int pfn : b.balloonedPfns()) {
            boolean offline = b.mm.pageType(pfn) == PageType.OFFLINE;
            if (!offline || !b.hypervisor.holds(pfn)) {
                problems.accept(String.format("ballooned page %#x is %s", pfn, offline ? "not the hypervisor's"
                        : "not PageOffline"));
            }
        }
        if (v.dataLoss() > 0) {
            problems.accept(v.dataLoss() + " guest accesses to frames the hypervisor held (data loss; see dmesg)");
        }
    }
}

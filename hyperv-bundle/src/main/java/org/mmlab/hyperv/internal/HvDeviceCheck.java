package org.mmlab.hyperv.internal;

import java.util.function.Consumer;

import org.mmlab.mm.PageType;

/**
 * mm:check's view of one Hyper-V balloon (not in the kernel), with the machine stopped: the balloon's
 * device holds exactly num_pages_ballooned pages, each PageOffline with its frame the host's; the host holds
 * those frames and the hot-add space's pages it has not backed, which are PageOffline; the pages it backed
 * are not; and no guest access hit a frame the host held. While a request is in flight (the host backed
 * frames the guest has yet to free or online) only the pages the guest has not been asked about are checked.
 */
final class HvDeviceCheck {
    private HvDeviceCheck() {
    }

    static void check(HvBalloon b, Consumer<String> summary, Consumer<String> problems) {
        HvHost.View v = b.host.view();
        long ballooned = b.ballooned();
        long onDevice = b.bDevInfo.nrPages() + b.bDevInfo.isolatedPages();
        int[] space = b.space.pfns();
        int covered = b.space.coveredEnd();
        summary.accept(String.format("ballooned %d pages (host target %d), host holds %d; hot-add space %d pages,"
                + " %d online, %d fake offline", ballooned, v.target(), v.held(), space.length, covered,
                b.space.fakeOffline()));
        if (v.inFlight()) {
            summary.accept("a request is in flight: the counts are compared when it is answered");
        }
        if (onDevice != ballooned) {
            problems.accept(String.format("num_pages_ballooned is %d, but its balloon device has %d pages", ballooned,
                    onDevice));
        }
        if (!v.inFlight() && v.held() != ballooned + space.length - covered) {
            problems.accept(String.format("the host holds %d frames, but %d are ballooned and %d of the hot-add space"
                    + " unbacked", v.held(), ballooned, space.length - covered));
        }
        for (int i = 0; i < space.length; i++) {
            boolean offline = b.mm.pageType(space[i]) == PageType.OFFLINE;
            if (i >= covered && (!offline || !b.host.holds(space[i]) && !v.inFlight())) {
                problems.accept(String.format("hot-add space page %#x is not backed but %s", space[i],
                        offline ? "the host does not hold it" : "not PageOffline"));
            }
        }
        if (v.dataLoss() > 0) {
            problems.accept(v.dataLoss() + " guest accesses to frames the host held (data loss; see dmesg)");
        }
    }
}

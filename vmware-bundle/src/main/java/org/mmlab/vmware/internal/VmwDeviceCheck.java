package org.mmlab.vmware.internal;

import java.util.function.Consumer;

import org.mmlab.mm.PageType;

/**
 * mm:check's view of one VMware balloon (not in the kernel), with the machine stopped: the hypervisor
 * holds exactly the balloon's frames (b->size), which are its 4 KiB pages and 512 frames per 2 MiB page
 * (checked when no page is isolated: between the driver's return from a refused migration and the
 * infrastructure's bookkeeping the two differ by one); each page on huge_pages is an allocated 2 MiB
 * block, PageOffline and held frame by frame; and no guest access hit a frame the hypervisor held.
 * While the hypervisor has reset its balloon (it gave its frames back) and the driver has yet to see
 * it or to pop its balloon, only the pages are checked.
 */
final class VmwDeviceCheck {
    private VmwDeviceCheck() {
    }

    static void check(VmwBalloon b, VmwHypervisor hv, Consumer<String> summary, Consumer<String> problems) {
        VmwHypervisor.View v = hv.view();
        long size = b.size.get();
        long pages4k = b.bDevInfo.nrPages() + b.bDevInfo.isolatedPages();
        long isolated = b.bDevInfo.isolatedPages();
        PageList huge = b.pages.hugePageList();
        boolean resetting = b.resetRequired || !v.started();
        summary.accept(String.format("size %d frames (%d 4k pages, %d isolated; %d 2M pages), target %d, host holds %d,"
                + " capabilities %#x%s", size, pages4k, isolated, huge.size(), b.target, v.held(), b.capabilities,
                resetting ? ", resetting" : ""));
        if (huge.size() != b.pages.nrHugePages()) {
            problems.accept(String.format("huge_pages has %d pages, but the driver counts %d", huge.size(),
                    b.pages.nrHugePages()));
        }
        for (int i = 0; i < huge.size(); i++) {
            String wrong = notABalloon2M(b, hv, huge.get(i), resetting);
            if (wrong != null) {
                problems.accept(String.format("2M page at pfn %#x %s", huge.get(i), wrong));
            }
        }
        if (isolated == 0 && size != pages4k + huge.size() * (long) PageSize.VMW_BALLOON_2M_PAGE.frames()) {
            problems.accept(String.format("size is %d frames, but the balloon has %d 4k pages and %d 2M pages", size,
                    pages4k, huge.size()));
        }
        if (!resetting && v.held() != size) {
            problems.accept(String.format("the hypervisor holds %d frames, but the balloon's size is %d", v.held(), size));
        }
        if (v.dataLoss() > 0) {
            problems.accept(v.dataLoss() + " guest accesses to frames the hypervisor held (data loss; see dmesg)");
        }
    }

    /** Why a page on huge_pages is not an inflated 2 MiB page, or null. */
    private static String notABalloon2M(VmwBalloon b, VmwHypervisor hv, int pfn, boolean resetting) {
        if (b.mm.pageCount(pfn) <= 0) {
            return "is free";
        }
        for (int f = 0; f < PageSize.VMW_BALLOON_2M_PAGE.frames(); f++) {
            if (b.mm.pageType(pfn + f) != PageType.OFFLINE) {
                return String.format("has frame %#x not PageOffline", pfn + f);
            }
            if (!resetting && !hv.holds(pfn + f)) {
                return String.format("has frame %#x the hypervisor does not hold", pfn + f);
            }
        }
        return null;
    }
}

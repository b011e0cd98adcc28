package org.mmlab.virtio.internal;

import java.util.function.Consumer;

/**
 * mm:check's view of one device (not in the kernel): the host holds exactly the frames the driver has
 * told it about (the balloon's pages, plus what is on its way in either direction), the driver's
 * num_pages is the balloon's page count, actual equals num_pages when no update is in progress, and
 * no guest access hit a frame the host held.
 */
final class BalloonDeviceCheck {
    private BalloonDeviceCheck() {
    }

    static void check(VirtioBalloon vb, BalloonHost host, Consumer<String> summary, Consumer<String> problems) {
        if (vb.vbDevInfo == null || vb.removed()) {
            summary.accept("not probed");
            return;
        }
        long balloon = vb.vbDevInfo.nrPages() + vb.vbDevInfo.isolatedPages();
        BalloonHost.View v;
        long availIn;
        long availOut;
        long extra;
        long missing;
        int parked;
        long notInGuest;
        synchronized (vb.vdev.ringLock) {
            v = host.viewLocked();
            availIn = vb.inflateVq == null ? 0 : vb.inflateVq.availPfnsLocked();
            availOut = vb.deflateVq == null ? 0 : vb.deflateVq.availPfnsLocked();
            extra = vb.extraLocked();
            missing = vb.missingLocked();
            parked = vb.parkedLocked();
            notInGuest = host.faultsInOnAccess() ? 0 : host.heldNotInGuestLocked();
        }
        int numPages = vb.numPages();
        long actual = vb.vdev.config.readLe32(Uapi.CONFIG_ACTUAL);
        long target = vb.vdev.config.readLe32(Uapi.CONFIG_NUM_PAGES);
        summary.accept(String.format("num_pages %d (%d isolated), target %d, actual %d, host holds %d, in flight"
                + " %d inflate + %d deflate pfns, kept unacknowledged %d%s", numPages, vb.vbDevInfo.isolatedPages(),
                target, actual, v.held(), availIn, availOut, parked, vb.vdev.broken() ? ", BROKEN" : ""));
        long hostSide = v.held() + v.faultedBeforeDeflate() + availIn - availOut;
        long guestSide = balloon + extra - missing;
        if (hostSide != guestSide) {
            problems.accept(String.format("the host holds %d frames (%d faulted in before their deflate, %d + %d"
                    + " pfns queued in/out) but the driver gave it %d (%d balloon pages, %d deflates and %d inflates"
                    + " not yet sent)", v.held(), v.faultedBeforeDeflate(), availIn, availOut, guestSide, balloon,
                    extra, missing));
        }
        if (balloon != numPages) {
            problems.accept(String.format("num_pages is %d but the balloon has %d pages (list + isolated)", numPages,
                    balloon));
        }
        if (notInGuest > 0) {
            problems.accept(notInGuest + " frames the host holds are not held by it in the guest's memory");
        }
        if (vb.idle() && !vb.vdev.broken() && actual != numPages) {
            problems.accept(String.format("actual is %d but num_pages is %d, with no update in progress", actual,
                    numPages));
        }
        if (v.dataLoss() > 0) {
            problems.accept(v.dataLoss() + " guest accesses to frames the host held (data loss; see dmesg)");
        }
    }
}

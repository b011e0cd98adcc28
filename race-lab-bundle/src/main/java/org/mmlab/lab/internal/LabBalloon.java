package org.mmlab.lab.internal;

import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.balloon.BalloonMigrate;
import org.mmlab.balloon.Balloons;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.Mm;
import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.MmLab;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The lab's own balloon device "lab-balloon": the smallest driver of seed 000's interface (no host to
 * tell), for the races of the balloon core itself, where a driver's host would only add noise. It
 * inflates with balloon_page_alloc() + balloon_page_enqueue() and deflates as the era's drivers did:
 * balloon_page_dequeue(), tell the host (an injection point here), then release_pages_by_pfn().
 */
final class LabBalloon implements BalloonMigrate, AutoCloseable {
    static final String NAME = "lab-balloon";

    private final BundleContext context;
    private final ServiceReference<Balloons> ref;
    private final Balloons balloons;
    private final MemoryManager mm;
    private final MmLab mmLab;
    private final BalloonDevInfo dev;

    /**
     * A device of the rebooted guest's balloon infrastructure, which comes up after the guest (the guest's
     * reboot has returned: the one registered next, or now, runs its contract).
     */
    LabBalloon(BundleContext context, MemoryManager mm, MmLab mmLab, MigrationContract contract)
            throws InterruptedException {
        this.context = context;
        this.mm = mm;
        this.mmLab = mmLab;
        ServiceTracker<Balloons, Balloons> t = new ServiceTracker<>(context, Balloons.class, null);
        t.open();
        try {
            t.waitForService(LabContext.WAIT_MS);
            this.ref = t.getServiceReference();
        } finally {
            t.close();
        }
        this.balloons = ref == null ? null : context.getService(ref);
        if (balloons == null || balloons.contract() != contract) {
            if (balloons != null) {
                context.ungetService(ref);
            }
            throw new IllegalStateException("no balloon infrastructure (balloon-api-bundle) for contract "
                    + contract.value() + " came up");
        }
        this.dev = balloons.balloonDevinfoInit(NAME, this, false);
    }

    /** balloon_page_alloc() and balloon_page_enqueue(): the page inflated. */
    int inflateOne() {
        int pfn = balloons.balloonPageAlloc();
        if (pfn == Mm.NO_PAGE) {
            throw new IllegalStateException("balloon_page_alloc() failed: the guest has no free page");
        }
        balloons.balloonPageEnqueue(dev, pfn);
        return pfn;
    }

    /** leak_balloon() of one page: dequeue, tell the host, release_pages_by_pfn(). */
    void deflateOne() {
        int pfn = balloons.balloonPageDequeue(dev);
        if (pfn == Mm.NO_PAGE) {
            return; // isolated by compaction: the era's drivers tried again later
        }
        mmLab.injectionPoint(InjectionPoints.LAB_TELL_HOST, pfn);
        mm.putPage(pfn); // release_pages_by_pfn(): the balloon's reference; the last one frees the page
    }

    /** A 2012/2016 driver's migratepage: the bookkeeping itself, then (no host) done. */
    @Override
    public int migratepage(BalloonDevInfo b, int newPfn, int pfn, MigrateMode mode) {
        if (balloons.contract() != MigrationContract.MOVABLE_OPS_2025) {
            balloons.balloonPageMigrated(dev, newPfn, pfn);
        }
        return 0;
    }

    /** The driver's remove: drain what is left and remove the device; best effort after a race broke it. */
    @Override
    public void close() {
        try {
            while (dev.nrPages() > 0 && !dev.removed()) {
                int before = (int) dev.nrPages();
                deflateOne();
                if (dev.nrPages() == before) {
                    break;
                }
            }
            balloons.balloonDevinfoRemove(dev);
        } catch (RuntimeException e) {
            mm.printk("race lab: lab-balloon not removed cleanly after the race (" + e.getMessage()
                    + "): the reboot that follows clears it");
        } finally {
            context.ungetService(ref);
        }
    }
}

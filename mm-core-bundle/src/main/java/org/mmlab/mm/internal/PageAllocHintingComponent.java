package org.mmlab.mm.internal;

import org.mmlab.mm.Hypervisor;
import org.mmlab.mm.hinting.AeratorHooks;
import org.mmlab.mm.hinting.PageAllocHinting;
import org.mmlab.mm.hinting.PageReportingHooks;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The running guest's {@link PageAllocHinting} as a service, for the bundle that holds the hinting
 * designs: each method is its guest's {@link HintingCore}. A reboot replaces the guest and so this
 * component, and the designs bound to it start again on the new guest.
 */
@Component(service = PageAllocHinting.class)
public class PageAllocHintingComponent implements PageAllocHinting {
    private final HintingCore h;

    @Activate
    public PageAllocHintingComponent(@Reference MmCore core) {
        this.h = core.guest().hinting();
    }

    @Override
    public int nrZones() {
        return h.nrZones();
    }

    @Override
    public String zoneName(int zone) {
        return h.zoneName(zone);
    }

    @Override
    public int zoneOf(int pfn) {
        return h.zoneOf(pfn);
    }

    @Override
    public void spinLock(int zone) {
        h.spinLock(zone);
    }

    @Override
    public void spinUnlock(int zone) {
        h.spinUnlock(zone);
    }

    @Override
    public boolean testZoneFlag(int zone, int flag) {
        return h.testZoneFlag(zone, flag);
    }

    @Override
    public void setZoneFlag(int zone, int flag) {
        h.setZoneFlag(zone, flag);
    }

    @Override
    public void clearZoneFlag(int zone, int flag) {
        h.clearZoneFlag(zone, flag);
    }

    @Override
    public long lowWmarkPages(int zone) {
        return h.lowWmarkPages(zone);
    }

    @Override
    public boolean zoneWatermarkOk(int zone, int order, long mark) {
        return h.zoneWatermarkOk(zone, order, mark);
    }

    @Override
    public long nrFree(int zone, int order) {
        return h.nrFree(zone, order);
    }

    @Override
    public long nrFreeAerated(int zone, int order) {
        return h.nrFreeAerated(zone, order);
    }

    @Override
    public int freeList(int zone, int order, int migratetype) {
        return h.freeList(zone, order, migratetype);
    }

    @Override
    public int listNext(int id) {
        return h.listNext(id);
    }

    @Override
    public void listAddTail(int pfn, int head) {
        h.listAddTail(pfn, head);
    }

    @Override
    public void listRotateToFront(int pfn, int head) {
        h.listRotateToFront(pfn, head);
    }

    @Override
    public boolean pageBuddy(int pfn) {
        return h.pageBuddy(pfn);
    }

    @Override
    public int buddyOrder(int pfn) {
        return h.buddyOrder(pfn);
    }

    @Override
    public int pagePrivate(int pfn) {
        return h.pagePrivate(pfn);
    }

    @Override
    public int pageblockMigratetype(int pfn) {
        return h.pageblockMigratetype(pfn);
    }

    @Override
    public boolean pageReported(int pfn) {
        return h.pageReported(pfn);
    }

    @Override
    public void setPageReported(int pfn) {
        h.setPageReported(pfn);
    }

    @Override
    public boolean pageAerated(int pfn) {
        return h.pageAerated(pfn);
    }

    @Override
    public int isolateFreePage(int pfn, int order) {
        return h.isolateFreePage(pfn, order);
    }

    @Override
    public void putbackIsolatedPage(int pfn, int order, int migratetype) {
        h.putbackIsolatedPage(pfn, order, migratetype);
    }

    @Override
    public int getAerationPage(int zone, int order, int migratetype) {
        return h.getAerationPage(zone, order, migratetype);
    }

    @Override
    public void putAerationPage(int zone, int pfn) {
        h.putAerationPage(zone, pfn);
    }

    @Override
    public void pageReportingEnable(PageReportingHooks hooks, int order) {
        h.pageReportingEnable(hooks, order);
    }

    @Override
    public void setPageReportingOrder(int order) {
        h.setPageReportingOrder(order);
    }

    @Override
    public void pageReportingDisable(PageReportingHooks hooks) {
        h.pageReportingDisable(hooks);
    }

    @Override
    public void aeratorInstall(AeratorHooks hooks) {
        h.aeratorInstall(hooks);
    }

    @Override
    public void aeratorRemove(AeratorHooks hooks) {
        h.aeratorRemove(hooks);
    }

    @Override
    public void aeratorNotifyEnable(boolean on) {
        h.aeratorNotifyEnable(on);
    }

    @Override
    public void hostDiscardReportedFrame(int pfn, Hypervisor host) {
        h.hostDiscardReportedFrame(pfn, host);
    }

    @Override
    public long reportedFramesHeld() {
        return h.reportedFramesHeld();
    }

    @Override
    public long reportedFramesReturned() {
        return h.reportedFramesReturned();
    }

    @Override
    public long hintedPages() {
        return h.hintedPages();
    }
}

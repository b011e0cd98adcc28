package org.mmlab.balloon.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.balloon.BalloonMigrate;
import org.mmlab.mm.AddressSpace;
import org.mmlab.mm.MovablePages;

/**
 * Models struct balloon_dev_info (include/linux/balloon.h and its 2012/2016 ancestors): the device's
 * page list (linked through page->lru), isolated_pages, the driver's migratepage and the
 * adjust_managed_page_count flag. Fields change only under the lock {@link BalloonContract#pagesLock}
 * names for this device.
 */
final class BalloonDevice implements BalloonDevInfo {
    /** page->private of its pages (2016, 2025): small, non-zero, never reused within a guest. */
    final int id;
    private final String name;
    final String bundle;
    private final long bundleId;
    final BalloonMigrate migratepage;
    private final boolean adjustManagedPageCount;
    /** b_dev_info->pages: the head of a page->lru list. */
    final int pagesHead;
    /** b_dev_info->pages_lock (2012, 2016): per device; mainline has one global balloon_pages_lock. */
    final ReentrantLock pagesLock = new ReentrantLock();
    /** The driver's MovablePages (2012: the balloon mapping's owner; 2016: the inode's). */
    final MovablePages driverPages;
    /** 2012: balloon_mapping_alloc()'s mapping; 2016: the balloon inode's i_mapping; 2025: null. */
    AddressSpace mapping;
    /** 2012, the v7 lifecycle: where page->mapping comes from at each insertion (the driver's pointer). */
    Supplier<AddressSpace> driverMapping;
    /** 2012: the hooks the balloon mapping's private_data points to (balloon_page_device()). */
    Object mappingPrivate;
    /** Pages on the list; changed under the device's lock. */
    long nrPages;
    /** b_dev_info->isolated_pages; changed under the device's lock. */
    long isolatedPages;
    /**
     * Pages of this device migration holds isolated, as the core counts them (not in the kernel): under
     * 2012 and 2016 isolated_pages is decremented by whichever device the driver accounts a migration
     * on, so the two differ when it picks the wrong one (seed 003's vb_ptr). Under the device's lock.
     */
    long migrationHolds;
    volatile boolean removed;
    /** The core whose device table holds it, null before addDevice() and after its removal: device()'s test a page. */
    volatile BalloonCore listedIn;
    /** Its driver stopped without removing it: its pages are stranded. */
    volatile boolean orphaned;
    /** osgi-drain: the driver is going; no page of this device may be isolated any more. */
    volatile boolean draining;
    /** module-ref: references this device's isolated pages hold on the driver's module. */
    final AtomicInteger pinned = new AtomicInteger();
    /** 2012, 2016: old pages whose migration the driver accounted in its callback (balloonPageMigrated()). */
    final Set<Integer> accountedByDriver = ConcurrentHashMap.newKeySet();
    /** Old pages a driver's migratepage deflated itself (balloonPageDeflatedInMigration()), until it returns. */
    final Set<Integer> deflatedByDriver = ConcurrentHashMap.newKeySet();
    /** Calls into the driver's migratepage in flight. */
    final AtomicInteger inMigratepage = new AtomicInteger();

    BalloonDevice(int id, String name, String bundle, long bundleId, BalloonMigrate migratepage,
            boolean adjustManagedPageCount, int pagesHead, MovablePages driverPages) {
        this.id = id;
        this.name = name;
        this.bundle = bundle;
        this.bundleId = bundleId;
        this.migratepage = migratepage;
        this.adjustManagedPageCount = adjustManagedPageCount;
        this.pagesHead = pagesHead;
        this.driverPages = driverPages;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long bundleId() {
        return bundleId;
    }

    @Override
    public long nrPages() {
        return nrPages;
    }

    @Override
    public long isolatedPages() {
        return isolatedPages;
    }

    @Override
    public boolean adjustManagedPageCount() {
        return adjustManagedPageCount;
    }

    @Override
    public boolean removed() {
        return removed;
    }

    @Override
    public boolean orphaned() {
        return orphaned;
    }

    @Override
    public boolean mappingOwnedByDriver() {
        return driverMapping != null;
    }

    @Override
    public String toString() {
        return name + " [" + id + "]" + (orphaned ? " (orphaned)" : "");
    }
}

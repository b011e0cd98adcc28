package org.mmlab.balloon;

import java.util.List;
import java.util.function.Supplier;

import org.mmlab.mm.AddressSpace;
import org.mmlab.mm.MigrationContract;
import org.osgi.annotation.versioning.ProviderType;

/**
 * mm/balloon.c as a service (one instance per driver bundle, so each device knows its driver). Page
 * frames are PFNs; {@link org.mmlab.mm.Mm#NO_PAGE} is NULL. Each page is accounted to exactly one
 * device from enqueue to dequeue.
 *
 * <p>Locking rules, newest kernel (include/linux/balloon.h), followed under the 2025 contract:
 * <ol type="i">
 * <li>inflation and deflation set and clear page->private (the device) under balloon_pages_lock;</li>
 * <li>isolation and dequeue take the page off the device's list under balloon_pages_lock.</li>
 * </ol>
 * Under the 2012 and 2016 contracts the era's rules hold instead: the per-device pages_lock, and the
 * page lock taken before it (seed 000 rule i; seed 004's updated rule ii).
 */
@ProviderType
public interface Balloons {
    /** The migration contract of this guest (and so of this balloon infrastructure). */
    MigrationContract contract();

    /**
     * balloon_devinfo_init() (and, under 2012, balloon_mapping_alloc(); under 2016, the inode mapping
     * with balloon_aops): a new device with its migratepage callback, or null for a driver that does not
     * support migration. adjustManagedPageCount: the core removes inflated pages from totalram.
     */
    BalloonDevInfo balloonDevinfoInit(String name, BalloonMigrate migratepage, boolean adjustManagedPageCount);

    /**
     * balloon_devinfo_init() for a driver that keeps its balloon mapping itself, as the reviewed v7
     * virtio patch did (seed 003; 2012 only): the device gets no mapping of its own; a page inserted into
     * it (inflated, or the new page of a migration) gets page->mapping = whatever balloonMapping returns
     * then (v7's fill_balloon: page->mapping = balloon_mapping; null leaves the page unmovable), and
     * deflation clears it. The driver allocates, initialises and frees that mapping
     * ({@link #balloonMappingKmalloc}, {@link #balloonMappingInit}, {@link #balloonMappingKfree}); nothing
     * here checks that it did so in a safe order.
     */
    BalloonDevInfo balloonDevinfoInit(String name, BalloonMigrate migratepage, boolean adjustManagedPageCount,
            Supplier<AddressSpace> balloonMapping);

    /** kmalloc(sizeof(struct address_space)) for such a driver: not initialised yet. 2012 only. */
    AddressSpace balloonMappingKmalloc();

    /**
     * The v7 probe's initialisation of that mapping: a_ops and private_data lead migration to b's
     * isolation, putback and migratepage, and AS_BALLOON_MAP makes its pages balloon pages. 2012 only.
     */
    void balloonMappingInit(BalloonDevInfo b, AddressSpace mapping);

    /** kfree() of that mapping; whoever allocates one next may get its memory. 2012 only. */
    void balloonMappingKfree(AddressSpace mapping);

    /**
     * The device goes (the driver's remove, after it drained the balloon): its mapping is freed (2012,
     * 2016). Throws IllegalStateException, changing nothing, while it still has pages or isolated pages.
     */
    void balloonDevinfoRemove(BalloonDevInfo b);

    /**
     * balloon_page_alloc(): alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_NOMEMALLOC | __GFP_NORETRY |
     * __GFP_NOWARN); NO_PAGE on failure.
     */
    int balloonPageAlloc();

    /**
     * balloon_page_enqueue(): the page (allocated by the caller, which keeps its reference as the
     * balloon's) becomes PageOffline, the device's, and goes on its list; BALLOON_INFLATE,
     * NR_BALLOON_PAGES, and totalram if the device adjusts it.
     */
    void balloonPageEnqueue(BalloonDevInfo b, int pfn);

    /** balloon_page_list_enqueue(): the first n of pfns; returns n. */
    int balloonPageListEnqueue(BalloonDevInfo b, int[] pfns, int n);

    /**
     * balloon_page_dequeue(): one page off the device's list, now the caller's (still PageOffline until
     * freed); NO_PAGE if none is available now (pages are isolated: retry later). Throws
     * {@link org.mmlab.mm.KernelBug} "balloon pages are lost" when the list is empty and nothing is isolated.
     */
    int balloonPageDequeue(BalloonDevInfo b);

    /** balloon_page_list_dequeue(): up to nReq pages into out; returns how many. */
    int balloonPageListDequeue(BalloonDevInfo b, int[] out, int nReq);

    /**
     * What a 2012 or 2016 driver's migratepage did itself, once it held its own lock and before it told
     * its host: newPfn joins the balloon in pfn's place (balloon_page_insert(newpage),
     * isolated_pages--, BALLOON_MIGRATE, balloon_page_delete(page), and under 2016 the balloon's
     * references moved). From here on nothing of this migration is isolated any more, so the driver's
     * remove may finish while its callback still runs: the window of seed 003's "module goes away
     * between here and when the function returns". Refused under 2025, where the core does it after the
     * callback returns.
     */
    void balloonPageMigrated(BalloonDevInfo b, int newPfn, int pfn);

    /**
     * What vmw_balloon's migratepage did itself from v5.1 to v6.18 once its host had pfn back (UNLOCK) and
     * refused newPfn: pfn leaves the balloon (balloon_page_delete() before v6.17, balloon_page_finalize()
     * since), the balloon's reference on it is dropped (put_page()), isolated_pages--, and BALLOON_DEFLATE;
     * newPfn stays the migration's. Migration still holds pfn isolated, but it is no device's any more:
     * with 0 from the callback it is freed as if migrated (commit 4ba5a8a7faa6), with an error it is put
     * back to no device, as before that commit. Refused under 2012 (no driver of that era did it).
     */
    void balloonPageDeflatedInMigration(BalloonDevInfo b, int pfn);

    /** Every device, of every driver, that has not been removed. */
    List<BalloonDevInfo> devices();
}

package org.mmlab.mm;

import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The simulated guest kernel's memory manager as a service: what drivers and tools may call,
 * under the kernel's names. PFNs are ints; NO_PAGE (-1) is the NULL page.
 */
@ProviderType
public interface MemoryManager {
    /** max_pfn: PFNs run from 0 to nrPages() - 1. */
    int nrPages();

    /** totalram_pages(): pages the allocator manages (boot reservations excluded). */
    long totalramPages();

    /** NR_FREE_PAGES over all zones. */
    long freePages();

    /** alloc_pages(gfp, order): the first PFN of 2^order pages, or {@link Mm#NO_PAGE}. */
    int allocPages(int gfp, int order);

    /** __free_pages(page, order): drop the caller's reference; the last one frees the block. */
    void freePages(int pfn, int order);

    /**
     * split_page(page, order): a block from alloc_pages() without __GFP_COMP becomes 2^order pages with a
     * reference each, to be freed one by one (a balloon that splits a 2 MiB page the host refused).
     */
    void splitPage(int pfn, int order);

    /** get_page(). */
    void getPage(int pfn);

    /** get_page_unless_zero(): a reference, unless the page is already on its way to being freed. */
    boolean getPageUnlessZero(int pfn);

    /** put_page(): the last reference frees the page. */
    void putPage(int pfn);

    /** page_count(). */
    int pageCount(int pfn);

    /** trylock_page(). */
    boolean trylockPage(int pfn);

    /** lock_page(): waits until the page lock is the caller's. */
    void lockPage(int pfn);

    /** unlock_page(). */
    void unlockPage(int pfn);

    /**
     * lock_acquire() (include/linux/lockdep.h): tells the lock-order checker that the calling task
     * takes a lock of class lockClass (e.g. "&vb->balloon_lock"). Call it before a blocking acquire,
     * or after a trylock that succeeded with trylock true (which records no dependency: it cannot
     * block). With the checker off (mm:debug lockdep) it costs one field read. A blocking acquire is
     * also the injection point "lock:CLASS" when the race lab asks for it
     * ({@link org.mmlab.mm.lab.InjectionPoints#LOCK_POINTS}).
     */
    void lockdepAcquire(String lockClass, boolean trylock);

    /** lock_release(): the calling task lets go of a lock of class lockClass; call it before the unlock. */
    void lockdepRelease(String lockClass);

    /** test_bit(flag, &page->flags), with flag one of {@link PageFlags}. */
    boolean testPageFlag(int pfn, int flag);

    /** The page's type, or null for an untyped page. */
    PageType pageType(int pfn);

    /** What a read of the page sees (its content tag). */
    long readPage(int pfn);

    /** Writes the page (its content tag). */
    void writePage(int pfn, long tag);

    /** register_oom_notifier(). */
    void registerOomNotifier(OomNotifier notifier);

    /** unregister_oom_notifier(). */
    void unregisterOomNotifier(OomNotifier notifier);

    /** printk() into the guest's dmesg. */
    void printk(String text);

    /** adjust_managed_page_count(page, count): a balloon takes pages out of (or gives them back to) totalram. */
    void adjustManagedPageCount(int pfn, long count);

    /** __count_vm_event(item). */
    void countVmEvent(VmEvent item);

    /** The event's count since boot, as /proc/vmstat prints it. */
    long vmEvents(VmEvent item);

    /** mod_node_page_state(item, delta). */
    void modNodePageState(NodeStat item, long delta);

    /** global_node_page_state(item). */
    long nodePageState(NodeStat item);

    /**
     * preempt_disable() (and so the entry of spin_lock()): until {@link #preemptEnable()}, stop_machine()
     * (mm:check) waits for this task; it is nestable. A driver brackets what it changes under a spinlock
     * with it, so that mm:check never sees a list half changed. Never sleep inside.
     */
    void preemptDisable();

    /** preempt_enable(). */
    void preemptEnable();

    /** register_shrinker(): the slow path calls it before the OOM path (shrink_slab()). */
    void registerShrinker(String name, Shrinker shrinker);

    /** unregister_shrinker(): on return no call into it is running or will start. */
    void unregisterShrinker(Shrinker shrinker);

    /**
     * The host took the frame back: its content is gone (the content model discards it), and a guest
     * access to it, until {@link #hostPopulateFrame}, is reported in dmesg and to the host; if the host
     * does not fault frames in on access, it is data loss and mm:check fails. One host per frame.
     */
    void hostDiscardFrame(int pfn, Hypervisor host);

    /** The host gave the frame back to the guest (a deflate the host acknowledged). */
    void hostPopulateFrame(int pfn);

    /**
     * {@link #hostDiscardFrame} of pfns[from..to) in turn, each frame as that has it (its content discarded, one
     * host a frame), in one section of the lab's table of held frames instead of one a frame: a host discarding
     * a buffer of PFNs (QEMU's virtio_balloon_handle_output(), balloon_inflate_page() a PFN). Stops at the first
     * frame hostDiscardFrame() would refuse, changing nothing of it, and returns its index (hostDiscardFrame() of
     * that frame says why); to if every frame was discarded. The range must lie within pfns.
     */
    int hostDiscardFrames(int[] pfns, int from, int to, Hypervisor host);

    /**
     * {@link #hostPopulateFrame} of pfns[from..to) in turn, in one section (QEMU's balloon_deflate_page() a PFN
     * of a deflate buffer). Stops at the first frame no host holds (or outside memory), changing nothing of it,
     * and returns its index; to if every frame was given back. The range must lie within pfns.
     */
    int hostPopulateFrames(int[] pfns, int from, int to);

    /** The host holding the frame, or null. */
    Hypervisor frameHolder(int pfn);

    /** page_poisoning_enabled(): freed pages are filled with PAGE_POISON (configuration pagePoisoning). */
    boolean pagePoisoningEnabled();

    /** want_init_on_free(): freed pages are zeroed (not modelled: always false). */
    boolean wantInitOnFree();

    /** /proc/vmstat: every counter the guest keeps, by its kernel name, in the kernel's order. */
    Map<String, Long> vmstat();

    /** si_mem_available(): MemAvailable of /proc/meminfo, in pages. */
    long memAvailable();

    /**
     * LIST_HEAD(): a new head for a list of pages linked through page->lru (a balloon's pages). The
     * caller's own lock guards the list; every add and delete is validated with CONFIG_DEBUG_LIST.
     */
    int listHeadAlloc();

    /** Gives back a list head from {@link #listHeadAlloc()}; the list must be empty. */
    void listHeadFree(int head);

    /** list_add(&amp;page->lru, head): at the front. False if DEBUG_LIST found corruption and skipped it. */
    boolean listAdd(int pfn, int head);

    /** list_del(&amp;page->lru): unlink and poison (LIST_POISON1/2). False if DEBUG_LIST found corruption. */
    boolean listDel(int pfn);

    /** list_empty(head). */
    boolean listEmpty(int head);

    /** The id after this one on its list (a PFN, or the head at the end). */
    int listNext(int id);

    /** try_module_get() of callee's module: false if it is going or gone. Built-in code: true. */
    boolean tryModuleGet(Object callee);

    /** module_put(). */
    void modulePut(Object callee);

    /**
     * smp_wmb(): this CPU's earlier stores become visible to others before its later ones. In the
     * weak-memory mode (mm:debug weakmem) it drains the store buffer; a driver's lock release is a
     * RELEASE and calls it too. Otherwise it costs a volatile read.
     */
    void smpWmb();

    /**
     * Migrates every movable page in [startPfn, endPfn) out of the range, as alloc_contig_range()'s
     * __alloc_contig_migrate_range() does: isolate_migratepages_range(), then migrate_pages() to free
     * pages outside the range; what fails is put back. Returns the pages migrated.
     */
    int migrateRange(int startPfn, int endPfn, MigrateMode mode);
}

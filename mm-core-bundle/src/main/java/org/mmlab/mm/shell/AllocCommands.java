package org.mmlab.mm.shell;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.GuestRequired;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.Mm;
import org.mmlab.mm.admin.GuestPages;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * mm:alloc and mm:free: alloc_pages() and __free_pages() by hand, on the MemoryManager of the running
 * guest (bound dynamically, so the commands stay while mm:config reboots it). mm:free frees only what
 * mm:alloc handed out; any other page is refused with whose it is. mm:drain: drain_all_pages(), so that
 * MemFree and the free lists show what went to the per-cpu lists.
 */
@Component(service = AllocCommands.class)
@GogoCommand(scope = "mm", function = {"alloc", "free", "drain"})
public class AllocCommands {
    private final GuestPages pages;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MemoryManager mm;

    /** What mm:alloc handed out: all that mm:free may free. */
    private final ShellAllocations allocations = new ShellAllocations();

    @Activate
    public AllocCommands(@Reference GuestPages pages) {
        this.pages = pages;
    }

    private MemoryManager guest() {
        return GuestRequired.held(mm);
    }

    @Descriptor("allocate 2^ORDER pages with alloc_pages(); prints the PFN (free it with mm:free PFN ORDER)")
    public void alloc(@Descriptor("order 0..10") String order) {
        alloc(order, "GFP_KERNEL");
    }

    @Descriptor("allocate 2^ORDER pages with alloc_pages(GFP, ORDER); prints the PFN (free it with mm:free PFN ORDER)")
    public void alloc(@Descriptor("order 0..10") String order,
            @Descriptor("GFP mask: flag names joined by ',' (GFP_KERNEL, GFP_HIGHUSER_MOVABLE,__GFP_COMP, ...) or 0x-hex")
            String gfp) {
        MemoryManager guest = guest();
        int o = Args.order(order);
        int mask = Gfp.parse(gfp);
        int pfn = guest.allocPages(mask, o);
        if (pfn == Mm.NO_PAGE) {
            throw new IllegalStateException(String.format("page allocation failure: order:%d, mode:%#x(%s) (see mm:dmesg)",
                    o, mask, Gfp.format(mask)));
        }
        allocations.allocated(guest, pfn, o);
        GuestPages.PageInfo info = pages.page(pfn);
        System.out.printf("pfn %#x order %d (%d pages, zone %s, %s)%n", pfn, o, 1 << o, info.zone(),
                info.pageblock().kernelName());
    }

    @Descriptor("free 2^ORDER pages at PFN that mm:alloc returned (__free_pages); any other page is refused, with"
            + " whose it is")
    public void free(@Descriptor("the PFN mm:alloc printed") String pfn, @Descriptor("the order it was allocated with")
            String order) {
        MemoryManager guest = guest();
        int p = Args.pfn(pfn, guest.nrPages());
        int o = Args.order(order);
        if (!allocations.take(guest, p, o)) {
            ShellAllocations.Block b = allocations.containing(guest, p);
            if (b != null) {
                throw new IllegalArgumentException(String.format("pfn %#x is %s the order-%d block mm:alloc gave at"
                        + " pfn %#x: free it with mm:free %#x %d", p, b.pfn() == p ? "the start of" : "inside", b.order(),
                        b.pfn(), b.pfn(), b.order()));
            }
            throw new IllegalArgumentException(String.format("pfn %#x is not mm:alloc's to free: it is %s (mm:free"
                    + " frees only what mm:alloc handed out)", p, pages.page(p).use()));
        }
        guest.freePages(p, o);
        System.out.printf("freed pfn %#x order %d%n", p, o);
    }

    @Descriptor("drain_all_pages(): every CPU's per-cpu lists give their free pages back to the buddy allocator,"
            + " where MemFree, mm:buddyinfo and mm:pagetypeinfo count them")
    public void drain() {
        guest();
        System.out.printf("drained %d pages from the per-cpu lists into the buddy allocator%n", pages.drainAllPages());
    }
}

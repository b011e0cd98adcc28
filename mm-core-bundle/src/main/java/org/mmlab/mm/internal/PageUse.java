package org.mmlab.mm.internal;

import org.mmlab.mm.Hypervisor;
import org.mmlab.mm.Mm;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;

/**
 * What a page is used for and by whom, in one phrase, for a command that must refuse to touch it (no
 * kernel counterpart: the kernel's dump_page() shows the same state as flags, types and a mapping;
 * this names the owner the lab knows from them). Reads like /proc does, without a lock: run it inside
 * {@link GuestMemory#stopMachine} for a page that may change meanwhile.
 */
public final class PageUse {
    private PageUse() {
    }

    /** E.g. "mapped by pid 12 (proc-3) of the workload", "free (in the free order-10 block at 0x400)". */
    public static String describe(GuestMemory g, int pfn) {
        g.checkPfn(pfn);
        MemMap map = g.map;
        if (map.testFlag(pfn, PageFlags.PG_reserved)) {
            return "reserved at boot (PG_reserved: the first MiB, real-mode and BIOS areas)";
        }
        int head = map.compoundHead(pfn);
        if (head != pfn) {
            return String.format("page %d of the order-%d compound page at pfn %#x, which is %s", pfn - head,
                    map.compoundOrder(head), head, describe(g, head));
        }
        int freeHead = freeBlockHead(map, pfn);
        if (freeHead >= 0) {
            return String.format("free (in the free order-%d block at pfn %#x)", map.pagePrivate[freeHead], freeHead);
        }
        String onPcp = g.alloc.pcp == null ? null : g.alloc.pcp.describePcpBlock(g.alloc.zoneOf(pfn), pfn);
        if (onPcp != null) {
            return "free (" + onPcp + ")";
        }
        if (map.refcount(pfn) <= 0) {
            int allocHead = highOrderHead(g, pfn);
            return allocHead >= 0
                    ? String.format("page %d of the order-%d allocation at pfn %#x, which is %s", pfn - allocHead,
                            g.pageOwner.orderOf(allocHead), allocHead, describe(g, allocHead))
                    : "free (refcount 0, on no free list: isolated by compaction, or being freed)";
        }
        String owner = movableOwner(g, pfn);
        String host = heldBy(g, pfn);
        PageType type = map.pageType(pfn);
        if (type == PageType.OFFLINE) {
            return "a balloon page (PageOffline" + owner + host + ")";
        }
        if (type == PageType.TABLE) {
            return "a page table of a workload process (PageTable)";
        }
        if (type == PageType.SLAB) {
            return "a slab page of the kernel (PageSlab)";
        }
        if (type != null) {
            return "a page of type " + type.kernelName() + owner + host;
        }
        if ((map.mapping[pfn] & MemMap.PAGE_MAPPING_FLAGS) == MemMap.PAGE_MAPPING_ANON) {
            Object anon = g.handles.get(MemMap.mappingHandle(map.mapping[pfn]));
            return anon instanceof WorkloadProcess p
                    ? String.format("a user page mapped by pid %d (%s) of the workload", p.pid, p.comm)
                    : "an anonymous user page";
        }
        if (!owner.isEmpty() || !host.isEmpty()) {
            return "a balloon or movable page (" + (owner + host).substring(2) + ")";
        }
        if (map.testFlag(pfn, PageFlags.PG_lru) || g.migrate.isolatedLru(pfn)) {
            return "a user page (on the LRU or isolated for migration)";
        }
        return String.format("allocated by the kernel or a driver (refcount %d)", map.refcount(pfn));
    }

    /** The head of the free buddy block pfn lies in, or -1 (is_free_buddy_page()). */
    static int freeBlockHead(MemMap map, int pfn) {
        for (int order = 0; order < Mm.NR_PAGE_ORDERS; order++) {
            int head = pfn & ~((1 << order) - 1);
            if (map.hasType(head, PageType.BUDDY) && map.pagePrivate[head] >= order) {
                return head;
            }
        }
        return -1;
    }

    /** The head of the live non-compound high-order allocation (page_owner) pfn is a tail of, or -1. */
    private static int highOrderHead(GuestMemory g, int pfn) {
        for (int order = 1; order < Mm.NR_PAGE_ORDERS; order++) {
            int head = pfn & ~((1 << order) - 1);
            if (head != pfn && g.pageOwner.orderOf(head) >= order && g.map.refcount(head) > 0) {
                return head;
            }
        }
        return -1;
    }

    /** "; movable, registered by BUNDLE": the bundle whose mapping or movable_ops migrate it, or "". */
    private static String movableOwner(GuestMemory g, int pfn) {
        MovableOwners.Registration r = g.migrate.ownerOf(pfn);
        return r == null ? "" : "; movable, registered by " + r.bundle;
    }

    /** "; its frame is held by HOST": a host took the frame (balloon inflation), or "". */
    private static String heldBy(GuestMemory g, int pfn) {
        Hypervisor h = g.hostFrames.holder(pfn);
        return h == null ? "" : "; its frame is held by " + h.name();
    }
}

package org.mmlab.mm.internal;

import java.nio.ByteBuffer;

/**
 * struct page as a 6.18 x86_64 kernel lays it out in memory (include/linux/mm_types.h: 64 bytes), rendered
 * from the lab's 32-byte memmap for a vmcore: flags (the PG_* bits; no node, zone or section bits: one
 * node, FLATMEM), lru or compound_head (tail pages: the head's address + 1), mapping (the address_space,
 * anon_vma or movable_ops word, with its PAGE_MAPPING_* bits), index, private (a free block's order),
 * the page_type/_mapcount word, _refcount; memcg_data is 0. The offsets are those {@link Vmcoreinfo}
 * declares. A PFN with no guest page behind it (the hole after RAM, the lab's kernel data) is a reserved
 * page in use, as the kernel's memmap has it.
 */
final class StructPage {
    /** Where the lab's list heads (free lists, balloon lists) are, as MemMap.lruAddress() prints them. */
    private static final long LIST_HEADS = 0xffff888100000000L;
    private static final int RESERVED = 1 << org.mmlab.mm.PageFlags.PG_reserved;

    private StructPage() {
    }

    /**
     * The guest's struct page of pfn at dst's position; advances it by 64 bytes.
     *
     * @param memMap the virtual address of mem_map[0], which struct page pointers point into
     */
    static void render(MemMap map, int pfn, long memMap, ByteBuffer dst) {
        int at = dst.position();
        dst.putLong(at + Vmcoreinfo.OFFSET_PAGE_FLAGS, map.flagsWord(pfn) & 0xffffffffL);
        dst.putLong(at + Vmcoreinfo.OFFSET_PAGE_LRU, lruWord(map, map.next[pfn], memMap));
        dst.putLong(at + Vmcoreinfo.OFFSET_PAGE_LRU + 8, lruWord(map, map.prev[pfn], memMap));
        dst.putLong(at + Vmcoreinfo.OFFSET_PAGE_MAPPING, MmDebug.mappingAddress(map.mapping[pfn]));
        dst.putLong(at + Vmcoreinfo.OFFSET_PAGE_INDEX, map.index[pfn] & 0xffffffffL);
        dst.putLong(at + Vmcoreinfo.OFFSET_PAGE_PRIVATE, map.pagePrivate[pfn] & 0xffffffffL);
        dst.putInt(at + Vmcoreinfo.OFFSET_PAGE_MAPCOUNT, map.mapcountOrType[pfn]);
        dst.putInt(at + Vmcoreinfo.OFFSET_PAGE_REFCOUNT, map.refcount(pfn));
        dst.putLong(at + 56, 0);
        dst.position(at + VmcoreLayout.SIZE_PAGE);
    }

    /** A reserved page in use (PG_reserved, one reference, no mapcount): not the guest's, the lab's kernel data. */
    static void renderReserved(ByteBuffer dst) {
        int at = dst.position();
        dst.putLong(at, RESERVED);
        dst.putLong(at + 8, 0);
        dst.putLong(at + 16, 0);
        dst.putLong(at + 24, 0);
        dst.putLong(at + 32, 0);
        dst.putLong(at + 40, 0);
        dst.putInt(at + Vmcoreinfo.OFFSET_PAGE_MAPCOUNT, MemMap.MAPCOUNT_NONE);
        dst.putInt(at + Vmcoreinfo.OFFSET_PAGE_REFCOUNT, 1);
        dst.putLong(at + 56, 0);
        dst.position(at + VmcoreLayout.SIZE_PAGE);
    }

    /**
     * An lru link as the kernel stores it: a page's lru (mem_map + 64 * pfn + 8), a list head's address,
     * LIST_POISON1/2 (include/linux/poison.h), or a tail page's compound_head (its head's address | 1).
     */
    static long lruWord(MemMap map, int id, long memMap) {
        if (id == PageLists.LIST_POISON1) {
            return 0xdead000000000100L;
        } else if (id == PageLists.LIST_POISON2) {
            return 0xdead000000000122L;
        } else if (id >= map.nrPages) {
            return LIST_HEADS + (long) (id - map.nrPages) * 16;
        } else if (id >= 0) {
            return memMap + (long) id * VmcoreLayout.SIZE_PAGE + Vmcoreinfo.OFFSET_PAGE_LRU;
        }
        return memMap + (long) (-id - 2) * VmcoreLayout.SIZE_PAGE + 1;
    }
}

package org.mmlab.mm.internal;

import org.mmlab.mm.Mm;

/**
 * Where a kdump vmcore of the guest puts things (not a kernel file: the lab's stand-in for an x86_64
 * kernel's physical memory map as arch/x86 and mm/mm_init.c leave it): guest RAM at physical 0, then,
 * at the next 1 GiB boundary, the lab's kernel data, which the real kernel keeps inside RAM but the lab
 * keeps in Java arrays: the page tables (init_top_pgt and two PUDs), init_uts_ns, the mem_map pointer and
 * the FLATMEM mem_map itself, one 64-byte struct page per PFN of everything up to the data's end. The
 * data is mapped twice, as the kernel's own image is: in the direct map (0xffff888000000000 + physical)
 * and at __START_KERNEL_map (0xffffffff80000000) with phys_base = the data's start.
 *
 * @param ramPages  the guest's pages (PT_LOAD 1)
 * @param dataBase  physical address of the kernel data (PT_LOAD 2), 1 GiB aligned
 * @param dataPages pages of kernel data
 */
record VmcoreLayout(int ramPages, long dataBase, int dataPages) {
    /** __PAGE_OFFSET of 4-level x86_64 without KASLR: the direct map. */
    static final long PAGE_OFFSET = 0xffff888000000000L;
    /** __START_KERNEL_map: the kernel image's mapping. */
    static final long START_KERNEL_MAP = 0xffffffff80000000L;
    static final long GIB = 1L << 30;
    /** sizeof(struct page) on x86_64 (include/linux/mm_types.h, v6.18). */
    static final int SIZE_PAGE = 64;
    /** Data pages before mem_map: PGD, direct-map PUD, kernel-text PUD, init_uts_ns, the mem_map pointer. */
    static final int PGD = 0;
    static final int PUD_DIRECT = 1;
    static final int PUD_TEXT = 2;
    static final int UTS = 3;
    static final int MEM_MAP_PTR = 4;
    static final int MEM_MAP = 5;

    static VmcoreLayout of(int ramPages) {
        long dataBase = ((long) ramPages * Mm.PAGE_SIZE + GIB - 1) / GIB * GIB;
        long basePfn = dataBase >> Mm.PAGE_SHIFT;
        int data = MEM_MAP;
        // mem_map covers every PFN up to the data's end, its own pages included
        while (MEM_MAP + pagesOfMemMap(basePfn + data) > data) {
            data = MEM_MAP + pagesOfMemMap(basePfn + data);
        }
        return new VmcoreLayout(ramPages, dataBase, data);
    }

    private static int pagesOfMemMap(long pfns) {
        return (int) ((pfns * SIZE_PAGE + Mm.PAGE_SIZE - 1) / Mm.PAGE_SIZE);
    }

    /** max_pfn as makedumpfile sees it: the end of the last PT_LOAD. */
    long maxPfn() {
        return (dataBase >> Mm.PAGE_SHIFT) + dataPages;
    }

    long ramBytes() {
        return (long) ramPages * Mm.PAGE_SIZE;
    }

    long dataBytes() {
        return (long) dataPages * Mm.PAGE_SIZE;
    }

    /** Physical address of one data page. */
    long dataPage(int i) {
        return dataBase + (long) i * Mm.PAGE_SIZE;
    }

    /** The direct map's address of a physical address. */
    static long directMap(long phys) {
        return PAGE_OFFSET + phys;
    }

    /** A kernel-image symbol's address for a physical address in the data (phys_base = dataBase). */
    long symbol(long phys) {
        return START_KERNEL_MAP + phys - dataBase;
    }

    /** NUMBER(phys_base): where the kernel image's mapping starts in physical memory. */
    long physBase() {
        return dataBase;
    }

    /** GiB mapped by the direct map's 1 GiB pages: RAM, the hole after it and the data. */
    int directMapGiB() {
        return (int) ((dataBase + dataBytes() + GIB - 1) / GIB);
    }
}

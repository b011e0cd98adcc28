package org.mmlab.mm.internal;

import org.mmlab.mm.Mm;
import org.mmlab.mm.MigrateType;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;

/**
 * Models kernel/vmcore_info.c crash_save_vmcoreinfo_init() and arch/x86/kernel/machine_kexec_64.c
 * arch_crash_save_vmcoreinfo() of v6.18: the VMCOREINFO note's KEY=value lines that tell a dump tool
 * where the kernel's structures are and how to read them (SYMBOL in hex, the rest in decimal). It
 * declares what a FLATMEM x86_64 6.18 kernel without NUMA declares about the memory model and struct
 * page, and leaves out what the lab has no memory for (zones, pglist_data, the printk ring, kallsyms):
 * docs/vmcore.md lists both. No NUMBER(PG_hwpoison): the lab's page flags have no PG_hwpoison
 * (CONFIG_MEMORY_FAILURE's bit), and without it makedumpfile scans pages only at dump levels that ask it to.
 */
final class Vmcoreinfo {
    /** utsname()->release of the lab's guest: what dmesg's first line says. */
    static final String OSRELEASE = "6.18.0-mmlab";
    /** struct uts_namespace starts with its struct new_utsname name (v6.18). */
    static final int OFFSET_UTS_NAMESPACE_NAME = 0;
    /** include/linux/mm_types.h v6.18, x86_64: struct page's fields that VMCOREINFO declares. */
    static final int OFFSET_PAGE_FLAGS = 0;
    static final int OFFSET_PAGE_LRU = 8;
    static final int OFFSET_PAGE_COMPOUND_HEAD = 8;
    static final int OFFSET_PAGE_MAPPING = 24;
    static final int OFFSET_PAGE_INDEX = 32;
    static final int OFFSET_PAGE_PRIVATE = 40;
    static final int OFFSET_PAGE_MAPCOUNT = 48;
    static final int OFFSET_PAGE_REFCOUNT = 52;
    /** MIGRATE_TYPES without CONFIG_CMA, with CONFIG_MEMORY_ISOLATION. */
    static final int MIGRATE_TYPES = MigrateType.values().length;
    /** enum zone_stat_item: NR_FREE_PAGES is the first. */
    static final int NR_FREE_PAGES = 0;

    private Vmcoreinfo() {
    }

    /** The PGTY_* << 24 values of v6.18 as VMCOREINFO_NUMBER prints them: a long of the C int. */
    static long mapcountValue(PageType t) {
        return t.word();
    }

    /** The note's text for a vmcore of this layout, written at crashTime (seconds since the epoch). */
    static String text(VmcoreLayout l, long crashTime) {
        StringBuilder sb = new StringBuilder();
        line(sb, "OSRELEASE", OSRELEASE);
        line(sb, "PAGESIZE", Mm.PAGE_SIZE);
        symbol(sb, "init_uts_ns", l.symbol(l.dataPage(VmcoreLayout.UTS)));
        line(sb, "OFFSET(uts_namespace.name)", OFFSET_UTS_NAMESPACE_NAME);
        symbol(sb, "mem_map", l.symbol(l.dataPage(VmcoreLayout.MEM_MAP_PTR)));
        line(sb, "SIZE(page)", VmcoreLayout.SIZE_PAGE);
        line(sb, "SIZE(list_head)", 16);
        line(sb, "OFFSET(page.flags)", OFFSET_PAGE_FLAGS);
        line(sb, "OFFSET(page._refcount)", OFFSET_PAGE_REFCOUNT);
        line(sb, "OFFSET(page.mapping)", OFFSET_PAGE_MAPPING);
        line(sb, "OFFSET(page.lru)", OFFSET_PAGE_LRU);
        line(sb, "OFFSET(page._mapcount)", OFFSET_PAGE_MAPCOUNT);
        line(sb, "OFFSET(page.private)", OFFSET_PAGE_PRIVATE);
        line(sb, "OFFSET(page.compound_head)", OFFSET_PAGE_COMPOUND_HEAD);
        line(sb, "OFFSET(list_head.next)", 0);
        line(sb, "OFFSET(list_head.prev)", 8);
        line(sb, "LENGTH(zone.free_area)", Mm.NR_PAGE_ORDERS);
        line(sb, "LENGTH(free_area.free_list)", MIGRATE_TYPES);
        line(sb, "NUMBER(NR_FREE_PAGES)", NR_FREE_PAGES);
        line(sb, "NUMBER(PG_lru)", PageFlags.PG_lru);
        line(sb, "NUMBER(PG_private)", PageFlags.PG_private);
        line(sb, "NUMBER(PG_swapcache)", PageFlags.PG_owner_priv_1);
        line(sb, "NUMBER(PG_swapbacked)", PageFlags.PG_swapbacked);
        line(sb, "NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)", mapcountValue(PageType.SLAB));
        line(sb, "NUMBER(PG_head_mask)", 1L << PageFlags.PG_head);
        line(sb, "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", mapcountValue(PageType.BUDDY));
        line(sb, "NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)", mapcountValue(PageType.HUGETLB));
        line(sb, "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)", mapcountValue(PageType.OFFLINE));
        // arch_crash_save_vmcoreinfo() (x86_64)
        line(sb, "NUMBER(phys_base)", l.physBase());
        symbol(sb, "init_top_pgt", l.symbol(l.dataPage(VmcoreLayout.PGD)));
        line(sb, "NUMBER(pgtable_l5_enabled)", 0);
        sb.append("KERNELOFFSET=0\n");
        line(sb, "CRASHTIME", crashTime);
        return sb.toString();
    }

    private static void line(StringBuilder sb, String key, Object value) {
        sb.append(key).append('=').append(value).append('\n');
    }

    private static void symbol(StringBuilder sb, String name, long address) {
        sb.append("SYMBOL(").append(name).append(")=").append(Long.toHexString(address)).append('\n');
    }
}

package org.mmlab.mm.internal;

import org.mmlab.mm.Mm;
import org.mmlab.mm.PageFlags;

/**
 * Models fs/proc/meminfo.c meminfo_proc_show(): /proc/meminfo, with si_mem_available() and
 * vm_commit_limit() (mm/show_mem.c, mm/util.c), hugetlb_report_meminfo() (mm/hugetlb.c) and the
 * x86 arch_report_meminfo() (arch/x86/mm/pat/set_memory.c) after it.
 *
 * <p>The lines are those a 6.18 x86_64 distribution-style kernel prints: CONFIG_MMU, no HIGHMEM,
 * CONFIG_ZSWAP, CONFIG_MEMORY_FAILURE, CONFIG_TRANSPARENT_HUGEPAGE, CONFIG_HUGETLB_PAGE (2 MiB
 * default huge pages), direct_gbpages; no CMA, no SHADOW_CALL_STACK, no UNACCEPTED_MEMORY, no
 * early memtest. Each value is what this simulation really has: it has no swap, no page cache,
 * no reclaimable slab (the workload's slab pages are all unreclaimable), no vmalloc, no per-cpu
 * areas, no hugetlb pool, so those lines are 0.
 */
public final class Meminfo {
    /** VMALLOC_TOTAL >> 10 on x86_64 with 4-level paging: 32 TiB - 1 KiB. */
    static final long VMALLOC_TOTAL_KB = 34359738367L;
    /** sysctl_overcommit_ratio's default. */
    static final long OVERCOMMIT_RATIO = 50;
    /** HPAGE_PMD_ORDER: an anon folio of this order is a PMD-mappable THP (AnonHugePages). */
    static final int HPAGE_PMD_ORDER = Mm.PAGEBLOCK_ORDER;
    /** default_hstate: 2 MiB huge pages. */
    static final long HUGEPAGESIZE_KB = 2048;
    private static final long ISA_END_ADDRESS = 1L << 20;
    private static final long PMD_SIZE = 2L << 20;
    private static final long PUD_SIZE = 1L << 30;

    private Meminfo() {
    }

    /** /proc/meminfo as the kernel prints it. */
    public static String show(GuestMemory g) {
        long totalram = g.managedPages();
        long freeram = VmstatView.globalZonePageState(g, VmItem.NR_FREE_PAGES);
        long inactiveAnon = Math.max(0, g.vmstat.get(VmItem.NR_INACTIVE_ANON));
        long activeAnon = 0;
        long inactiveFile = 0;
        long activeFile = 0;
        long unevictable = 0;
        long anonPages = Math.max(0, g.vmstat.get(VmItem.NR_ANON_PAGES));
        long pageTables = Math.max(0, g.vmstat.get(VmItem.NR_PAGETABLE));
        // global_node_page_state_pages(NR_SLAB_*_B): pages, though the counters change in bytes
        long sreclaimable = 0;
        long sunreclaim = Math.max(0, g.vmstat.get(VmItem.NR_SLAB_UNRECLAIMABLE_B));
        long totalswap = 0;
        long hugetlbTotalPages = 0;
        MemmapCounts counts = countMemmap(g.map);

        StringBuilder sb = new StringBuilder();
        showValKb(sb, "MemTotal:       ", totalram);
        showValKb(sb, "MemFree:        ", freeram);
        showValKb(sb, "MemAvailable:   ", siMemAvailable(g, freeram, activeFile + inactiveFile, 0));
        showValKb(sb, "Buffers:        ", 0);
        showValKb(sb, "Cached:         ", 0);
        showValKb(sb, "SwapCached:     ", 0);
        showValKb(sb, "Active:         ", activeAnon + activeFile);
        showValKb(sb, "Inactive:       ", inactiveAnon + inactiveFile);
        showValKb(sb, "Active(anon):   ", activeAnon);
        showValKb(sb, "Inactive(anon): ", inactiveAnon);
        showValKb(sb, "Active(file):   ", activeFile);
        showValKb(sb, "Inactive(file): ", inactiveFile);
        showValKb(sb, "Unevictable:    ", unevictable);
        showValKb(sb, "Mlocked:        ", counts.mlocked);
        showValKb(sb, "SwapTotal:      ", totalswap);
        showValKb(sb, "SwapFree:       ", 0);
        showValKb(sb, "Zswap:          ", 0);
        sb.append(String.format("Zswapped:       %8d kB\n", 0));
        showValKb(sb, "Dirty:          ", 0);
        showValKb(sb, "Writeback:      ", 0);
        showValKb(sb, "AnonPages:      ", anonPages);
        showValKb(sb, "Mapped:         ", 0);
        showValKb(sb, "Shmem:          ", 0);
        showValKb(sb, "KReclaimable:   ", sreclaimable); // + NR_KERNEL_MISC_RECLAIMABLE, which nothing here has
        showValKb(sb, "Slab:           ", sreclaimable + sunreclaim);
        showValKb(sb, "SReclaimable:   ", sreclaimable);
        showValKb(sb, "SUnreclaim:     ", sunreclaim);
        sb.append(String.format("KernelStack:    %8d kB\n", 0));
        showValKb(sb, "PageTables:     ", pageTables);
        showValKb(sb, "SecPageTables:  ", 0);
        showValKb(sb, "NFS_Unstable:   ", 0);
        showValKb(sb, "Bounce:         ", 0);
        showValKb(sb, "WritebackTmp:   ", 0);
        showValKb(sb, "CommitLimit:    ", vmCommitLimit(totalram, hugetlbTotalPages, totalswap));
        // vm_memory_committed(): the simulation has no VMAs, so what is committed is what was faulted in
        showValKb(sb, "Committed_AS:   ", anonPages);
        sb.append(String.format("VmallocTotal:   %8d kB\n", VMALLOC_TOTAL_KB));
        showValKb(sb, "VmallocUsed:    ", 0);
        showValKb(sb, "VmallocChunk:   ", 0);
        showValKb(sb, "Percpu:         ", 0);
        sb.append(String.format("HardwareCorrupted: %5d kB\n", 0));
        showValKb(sb, "AnonHugePages:  ", counts.anonThpPages);
        showValKb(sb, "ShmemHugePages: ", 0);
        showValKb(sb, "ShmemPmdMapped: ", 0);
        showValKb(sb, "FileHugePages:  ", 0);
        showValKb(sb, "FilePmdMapped:  ", 0);
        showValKb(sb, "Balloon:        ", Math.max(0, g.vmstat.get(VmItem.NR_BALLOON_PAGES)));
        hugetlbReportMeminfo(sb);
        archReportMeminfo(sb, (long) g.nrPages() << Mm.PAGE_SHIFT);
        return sb.toString();
    }

    /** show_val_kb(): the 16-column label, the value in kB right-aligned in 8, " kB". */
    private static void showValKb(StringBuilder sb, String label, long pages) {
        sb.append(label).append(String.format("%8d", pages << (Mm.PAGE_SHIFT - 10))).append(" kB\n");
    }

    /**
     * si_mem_available(): free pages above the reserves, plus the page cache and the reclaimable
     * kernel memory that could be freed without swapping (each less what the low watermarks keep).
     */
    /** si_mem_available() as the MemoryManager service reports it. */
    static long memAvailable(GuestMemory g) {
        return siMemAvailable(g, VmstatView.globalZonePageState(g, VmItem.NR_FREE_PAGES), 0, 0);
    }

    static long siMemAvailable(GuestMemory g, long freePages, long pagecache, long reclaimable) {
        long wmarkLow = 0;
        for (Zone z : g.zones) {
            wmarkLow += z.watermark(Zone.WMARK_LOW);
        }
        long available = freePages - PageAllocWatermarks.totalReservePages(g.zones);
        available += pagecache - Math.min(pagecache / 2, wmarkLow);
        available += reclaimable - Math.min(reclaimable / 2, wmarkLow);
        return Math.max(0, available);
    }

    /** vm_commit_limit() with sysctl_overcommit_kbytes unset. */
    static long vmCommitLimit(long totalram, long hugetlbTotalPages, long totalSwapPages) {
        return (totalram - hugetlbTotalPages) * OVERCOMMIT_RATIO / 100 + totalSwapPages;
    }

    /** hugetlb_report_meminfo(): the default hstate's pool (empty here) and all hugetlb memory. */
    private static void hugetlbReportMeminfo(StringBuilder sb) {
        sb.append(String.format("HugePages_Total:   %5d\n", 0));
        sb.append(String.format("HugePages_Free:    %5d\n", 0));
        sb.append(String.format("HugePages_Rsvd:    %5d\n", 0));
        sb.append(String.format("HugePages_Surp:    %5d\n", 0));
        sb.append(String.format("Hugepagesize:   %8d kB\n", HUGEPAGESIZE_KB));
        sb.append(String.format("Hugetlb:        %8d kB\n", 0));
    }

    /**
     * x86 arch_report_meminfo(): direct_pages_count[] as init_mem_mapping() leaves it for one RAM
     * range [0, end): the ISA range and the rest of the first 2 MiB in 4k pages, 2M pages up to the
     * first 1 GiB boundary and after the last, 1G pages in between (split_mem_range()), before any
     * set_memory_*() split.
     */
    private static void archReportMeminfo(StringBuilder sb, long end) {
        long[] bytes = directMapBytes(end);
        sb.append(String.format("DirectMap4k:    %8d kB\n", bytes[0] >> 10));
        sb.append(String.format("DirectMap2M:    %8d kB\n", bytes[1] >> 10));
        sb.append(String.format("DirectMap1G:    %8d kB\n", bytes[2] >> 10));
    }

    /** Bytes mapped with 4k, 2M and 1G pages for RAM [0, end). */
    static long[] directMapBytes(long end) {
        long[] bytes = new long[3];
        // init_memory_mapping(0, ISA_END_ADDRESS): always mapped, in 4k pages
        bytes[0] += Math.min(end, ISA_END_ADDRESS);
        long start = ISA_END_ADDRESS;
        if (end <= start) {
            return bytes;
        }
        // split_mem_range(start, end)
        long head4k = Math.min(roundUp(start, PMD_SIZE), end);
        bytes[0] += head4k - start;
        long pmdEnd = roundDown(end, PMD_SIZE);
        long pudStart = roundUp(head4k, PUD_SIZE);
        long pudEnd = roundDown(end, PUD_SIZE);
        if (pudStart < pudEnd) {
            bytes[1] += pudStart - head4k;
            bytes[2] += pudEnd - pudStart;
            bytes[1] += pmdEnd - pudEnd;
        } else if (head4k < pmdEnd) {
            bytes[1] += pmdEnd - head4k;
        }
        bytes[0] += end - Math.max(pmdEnd, head4k);
        return bytes;
    }

    private static long roundUp(long x, long a) {
        return (x + a - 1) / a * a;
    }

    private static long roundDown(long x, long a) {
        return x / a * a;
    }

    /** What meminfo needs that the simulation keeps no counter for, taken from the memmap in one pass. */
    private static final class MemmapCounts {
        /** NR_MLOCK: pages with PG_mlocked. */
        long mlocked;
        /** NR_ANON_THPS: pages of anon folios of HPAGE_PMD_ORDER. */
        long anonThpPages;
    }

    private static MemmapCounts countMemmap(MemMap map) {
        MemmapCounts c = new MemmapCounts();
        for (int pfn = 0; pfn < map.nrPages; pfn++) {
            int flags = map.flagsWord(pfn);
            if ((flags & PageFlags.bit(PageFlags.PG_mlocked)) != 0) {
                c.mlocked++;
            }
            if ((flags & PageFlags.bit(PageFlags.PG_head)) != 0 && pfn + 1 < map.nrPages
                    && map.compoundOrder(pfn) == HPAGE_PMD_ORDER
                    && (map.mapping[pfn] & MemMap.PAGE_MAPPING_FLAGS) == MemMap.PAGE_MAPPING_ANON) {
                c.anonThpPages += 1L << HPAGE_PMD_ORDER;
            }
        }
        return c;
    }
}

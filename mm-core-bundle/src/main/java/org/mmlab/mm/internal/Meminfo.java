package org.mmlab.mm.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import org.mmlab.mm.Mm;

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
        StringBuilder sb = new StringBuilder();
        fields(g).forEach((label, value) -> {
            if (label.startsWith("HugePages_")) {
                sb.append(String.format("%-19s%5d\n", label + ":", value)); // "%5lu", no unit
            } else if (label.equals("HardwareCorrupted")) {
                sb.append(String.format("HardwareCorrupted: %5d kB\n", value));
            } else {
                sb.append(String.format("%-16s%8d kB\n", label + ":", value)); // show_val_kb()
            }
        });
        return sb.toString();
    }

    /**
     * Each line of /proc/meminfo: its label (without the colon) and value, in the kernel's order; values
     * in kB but for the HugePages_ counts.
     */
    public static Map<String, Long> fields(GuestMemory g) {
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
        // global_zone_page_state(NR_MLOCK) and global_node_page_state(NR_ANON_THPS): counters, not a scan of
        // the memmap's pages (which took 8-52 ms of a fresh lab's mm:meminfo); mm:check compares them with the pages
        long mlocked = Math.max(0, g.vmstat.nrMlock.get());
        long anonThps = Math.max(0, g.vmstat.nrAnonThps.get());

        Map<String, Long> f = new LinkedHashMap<>();
        showValKb(f, "MemTotal", totalram);
        showValKb(f, "MemFree", freeram);
        showValKb(f, "MemAvailable", siMemAvailable(g, freeram, activeFile + inactiveFile, 0));
        showValKb(f, "Buffers", 0);
        showValKb(f, "Cached", 0);
        showValKb(f, "SwapCached", 0);
        showValKb(f, "Active", activeAnon + activeFile);
        showValKb(f, "Inactive", inactiveAnon + inactiveFile);
        showValKb(f, "Active(anon)", activeAnon);
        showValKb(f, "Inactive(anon)", inactiveAnon);
        showValKb(f, "Active(file)", activeFile);
        showValKb(f, "Inactive(file)", inactiveFile);
        showValKb(f, "Unevictable", unevictable);
        showValKb(f, "Mlocked", mlocked);
        showValKb(f, "SwapTotal", totalswap);
        showValKb(f, "SwapFree", 0);
        showValKb(f, "Zswap", 0);
        f.put("Zswapped", 0L);
        showValKb(f, "Dirty", 0);
        showValKb(f, "Writeback", 0);
        showValKb(f, "AnonPages", anonPages);
        showValKb(f, "Mapped", 0);
        showValKb(f, "Shmem", 0);
        showValKb(f, "KReclaimable", sreclaimable); // + NR_KERNEL_MISC_RECLAIMABLE, which nothing here has
        showValKb(f, "Slab", sreclaimable + sunreclaim);
        showValKb(f, "SReclaimable", sreclaimable);
        showValKb(f, "SUnreclaim", sunreclaim);
        f.put("KernelStack", 0L);
        showValKb(f, "PageTables", pageTables);
        showValKb(f, "SecPageTables", 0);
        showValKb(f, "NFS_Unstable", 0);
        showValKb(f, "Bounce", 0);
        showValKb(f, "WritebackTmp", 0);
        showValKb(f, "CommitLimit", vmCommitLimit(totalram, hugetlbTotalPages, totalswap));
        // vm_memory_committed(): the simulation has no VMAs, so what is committed is what was faulted in
        showValKb(f, "Committed_AS", anonPages);
        f.put("VmallocTotal", VMALLOC_TOTAL_KB);
        showValKb(f, "VmallocUsed", 0);
        showValKb(f, "VmallocChunk", 0);
        showValKb(f, "Percpu", 0);
        f.put("HardwareCorrupted", 0L);
        showValKb(f, "AnonHugePages", anonThps);
        showValKb(f, "ShmemHugePages", 0);
        showValKb(f, "ShmemPmdMapped", 0);
        showValKb(f, "FileHugePages", 0);
        showValKb(f, "FilePmdMapped", 0);
        showValKb(f, "Balloon", Math.max(0, g.vmstat.get(VmItem.NR_BALLOON_PAGES)));
        hugetlbReportMeminfo(f);
        archReportMeminfo(f, (long) g.nrPages() << Mm.PAGE_SHIFT);
        return f;
    }

    /** show_val_kb(): the value of a count of pages, in kB. */
    private static void showValKb(Map<String, Long> f, String label, long pages) {
        f.put(label, pages << (Mm.PAGE_SHIFT - 10));
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
    private static void hugetlbReportMeminfo(Map<String, Long> f) {
        f.put("HugePages_Total", 0L);
        f.put("HugePages_Free", 0L);
        f.put("HugePages_Rsvd", 0L);
        f.put("HugePages_Surp", 0L);
        f.put("Hugepagesize", HUGEPAGESIZE_KB);
        f.put("Hugetlb", 0L);
    }

    /**
     * x86 arch_report_meminfo(): direct_pages_count[] as init_mem_mapping() leaves it for one RAM
     * range [0, end): the ISA range and the rest of the first 2 MiB in 4k pages, 2M pages up to the
     * first 1 GiB boundary and after the last, 1G pages in between (split_mem_range()), before any
     * set_memory_*() split.
     */
    private static void archReportMeminfo(Map<String, Long> f, long end) {
        long[] bytes = directMapBytes(end);
        f.put("DirectMap4k", bytes[0] >> 10);
        f.put("DirectMap2M", bytes[1] >> 10);
        f.put("DirectMap1G", bytes[2] >> 10);
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
}

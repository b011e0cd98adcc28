package org.mmlab.mm.admin;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import org.mmlab.mm.MigrateType;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The running guest's pages one by one, as a kernel developer looks at them: dump_page(), whose a page
 * is, and a /proc/kpageflags snapshot. A PFN outside memory is refused (IllegalArgumentException).
 */
@ProviderType
public interface GuestPages {
    /** max_pfn: PFNs run from 0 to nrPages() - 1. */
    int nrPages();

    /** dump_page(page, reason): the page's struct page as the kernel prints it. */
    String dumpPage(int pfn, String reason);

    /** Where the page is and what it holds. */
    PageInfo page(int pfn);

    /**
     * Writes a /proc/kpageflags snapshot (one little-endian u64 of KPF_* bits per PFN) that the kernel's
     * {@code page-types -F FILE} reads; returns the pages written.
     *
     * @throws java.nio.file.FileAlreadyExistsException when the file exists and replace is false
     */
    long writeKpageflags(Path file, boolean replace) throws IOException;

    /**
     * Writes the guest as a kdump vmcore (an ELF64 core with VMCOREINFO, page tables and mem_map) that
     * makedumpfile reads, with the machine stopped. PageOffline pages are left unread (seed 004) unless
     * naive, which reads every page as dump tools did before 2019.
     *
     * @throws java.nio.file.FileAlreadyExistsException when the file exists and replace is false
     * @since 1.1
     */
    VmcoreWritten writeVmcore(Path file, boolean naive, boolean replace) throws IOException;

    /**
     * drain_all_pages(NULL): every CPU's per-cpu lists give their free pages back to the buddy allocator,
     * where MemFree, /proc/buddyinfo and /proc/pagetypeinfo count them again (the kernel drains from
     * inside, e.g. before the OOM killer; the lab lets a test or a user ask, to compare MemFree with boot).
     * Returns the pages the lists gave back.
     *
     * @since 1.4
     */
    long drainAllPages();

    /**
     * One page's place in the guest.
     *
     * @param pfn       the page frame number
     * @param zone      its zone's name, e.g. "Normal"
     * @param pageblock its pageblock's migrate type
     * @param content   its content tag, as a read sees it
     * @param use       whose the page is, in words: free (in which block), the kernel's, a process's (which
     *                  pid), a balloon's (and which host holds its frame), reserved, ...
     */
    record PageInfo(int pfn, String zone, MigrateType pageblock, long content, String use) {
    }

    /**
     * What a vmcore write did.
     *
     * @param bytes          the file's size
     * @param ramPages       guest pages in the dump
     * @param pagesRead      guest pages whose content was read
     * @param offlineSkipped PageOffline pages left unread (0 with naive)
     * @param backedByHost   frames each host had to back again because the dump read them, by host name
     * @since 1.1
     */
    record VmcoreWritten(long bytes, int ramPages, long pagesRead, long offlineSkipped, Map<String, Long> backedByHost) {
        public VmcoreWritten {
            backedByHost = Map.copyOf(backedByHost);
        }

        /** Frames all hosts backed again. */
        public long backed() {
            return backedByHost.values().stream().mapToLong(Long::longValue).sum();
        }
    }
}

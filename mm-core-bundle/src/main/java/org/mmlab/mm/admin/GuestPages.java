package org.mmlab.mm.admin;

import java.io.IOException;
import java.nio.file.Path;

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
}

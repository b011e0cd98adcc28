package org.mmlab.mm.internal;

import java.util.BitSet;

import org.mmlab.mm.PageFlags;

/**
 * Models mm/page_alloc.c's checks of a page being freed: free_pages_prepare(), page_bad_reason() and
 * bad_page(), which takes a bad page out of circulation. Those pages are never freed and stay
 * accounted as bad, so mm:check and the fragmentation shares count them.
 */
final class FreePageChecks {
    private final MemMap map;
    private final MmDebug debug;
    private final PagePoison poison;
    private final VmStat vmstat;
    /** Pages bad_page() took out of circulation: never freed, still accounted. */
    private final BitSet badPages = new BitSet();

    FreePageChecks(MemMap map, MmDebug debug, PagePoison poison, VmStat vmstat) {
        this.map = map;
        this.debug = debug;
        this.poison = poison;
        this.vmstat = vmstat;
    }

    synchronized boolean isBadPage(int pfn) {
        return badPages.get(pfn);
    }

    synchronized int badPageCount() {
        return badPages.cardinality();
    }

    /** free_pages_prepare(): bad-page checks (with CONFIG_DEBUG_VM) and clearing what the owner left. */
    boolean freePagesPrepare(int pfn, int order) {
        boolean compound = map.testFlag(pfn, PageFlags.PG_head);
        // 6.18's free_pages_prepare(): a folio still mlocked (truncation raced with munlock) is cleared and
        // taken out of NR_MLOCK here, before the checks, not reported as a bad page
        if (map.testFlag(pfn, PageFlags.PG_mlocked)) {
            map.clearFlag(pfn, PageFlags.PG_mlocked);
            vmstat.nrMlock.addAndGet(-(compound ? 1L << order : 1)); // folio_nr_pages()
        }
        int bad = 0;
        if (compound) {
            for (int i = 1; i < 1 << order; i++) {
                if (debug.debugVm() && map.compoundHead(pfn + i) != pfn) {
                    debug.badPage(pfn + i, "corrupted mapping in compound page");
                    markBad(pfn + i);
                    bad++;
                }
                map.next[pfn + i] = pfn + i;
                map.prev[pfn + i] = pfn + i;
            }
            map.clearFlag(pfn, PageFlags.PG_head);
        }
        if ((map.mapping[pfn] & MemMap.PAGE_MAPPING_FLAGS) != 0) {
            map.mapping[pfn] = 0;
        }
        if (map.pageType(pfn) != null) {
            map.clearType(pfn); // page_type overlays _mapcount: reset it
        }
        if (debug.debugVm()) {
            for (int i = 0; i < 1 << order; i++) {
                String reason = freePageBadReason(pfn + i);
                if (reason != null) {
                    debug.badPage(pfn + i, reason);
                    markBad(pfn + i);
                    bad++;
                }
            }
        }
        if (bad > 0) {
            return false;
        }
        for (int i = 0; i < 1 << order; i++) {
            map.flags[pfn + i] = 0;
            map.pagePrivate[pfn + i] = 0;
        }
        poison.kernelPoisonPages(pfn, 1 << order);
        return true;
    }

    private synchronized void markBad(int pfn) {
        badPages.set(pfn);
    }

    /** page_bad_reason() for a page about to be freed. */
    private String freePageBadReason(int pfn) {
        if (map.mapcount(pfn) != 0 || map.mapcountOrType[pfn] != MemMap.MAPCOUNT_NONE && map.pageType(pfn) == null) {
            return "nonzero mapcount";
        }
        if (map.mapping[pfn] != 0) {
            return "non-NULL mapping";
        }
        if (map.refcount(pfn) != 0) {
            return "nonzero _refcount";
        }
        if ((map.flagsWord(pfn) & PageFlags.PAGE_FLAGS_CHECK_AT_FREE) != 0) {
            return "PAGE_FLAGS_CHECK_AT_FREE flag(s) set";
        }
        return null;
    }
}

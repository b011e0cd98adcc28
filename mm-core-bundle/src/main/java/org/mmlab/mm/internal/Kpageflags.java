package org.mmlab.mm.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.mmlab.mm.Mm;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;

/**
 * Models fs/proc/page.c stable_page_flags() and kpageflags_read(): /proc/kpageflags, one u64 of
 * KPF_* bits (include/uapi/linux/kernel-page-flags.h and the kernel-hacker bits 32+ that
 * tools/mm/page-types.c names) per PFN, little-endian as on x86_64, so that the kernel's own
 * {@code page-types -F FILE} reads a snapshot of the simulated guest.
 *
 * <p>Like the kernel's read, the snapshot takes no lock: a page that changes while it is written
 * may show a mix of its old and new state. Run it inside {@link GuestMemory#stopMachine} for a
 * frozen picture.
 */
public final class Kpageflags {
    // include/uapi/linux/kernel-page-flags.h
    public static final int KPF_LOCKED = 0;
    public static final int KPF_ERROR = 1;
    public static final int KPF_REFERENCED = 2;
    public static final int KPF_UPTODATE = 3;
    public static final int KPF_DIRTY = 4;
    public static final int KPF_LRU = 5;
    public static final int KPF_ACTIVE = 6;
    public static final int KPF_SLAB = 7;
    public static final int KPF_WRITEBACK = 8;
    public static final int KPF_RECLAIM = 9;
    public static final int KPF_BUDDY = 10;
    public static final int KPF_MMAP = 11;
    public static final int KPF_ANON = 12;
    public static final int KPF_SWAPCACHE = 13;
    public static final int KPF_SWAPBACKED = 14;
    public static final int KPF_COMPOUND_HEAD = 15;
    public static final int KPF_COMPOUND_TAIL = 16;
    public static final int KPF_HUGE = 17;
    public static final int KPF_UNEVICTABLE = 18;
    public static final int KPF_HWPOISON = 19;
    public static final int KPF_NOPAGE = 20;
    public static final int KPF_KSM = 21;
    public static final int KPF_THP = 22;
    public static final int KPF_OFFLINE = 23;
    public static final int KPF_ZERO_PAGE = 24;
    public static final int KPF_IDLE = 25;
    public static final int KPF_PGTABLE = 26;
    // [32-] kernel hacking assistances (not uapi; fs/proc/page.c and page-types.c agree on them)
    public static final int KPF_RESERVED = 32;
    public static final int KPF_MLOCKED = 33;
    public static final int KPF_OWNER_2 = 34;
    public static final int KPF_PRIVATE = 35;
    public static final int KPF_PRIVATE_2 = 36;
    public static final int KPF_OWNER_PRIVATE = 37;
    public static final int KPF_ARCH = 38;

    /** PG_swapcache = PG_owner_priv_1: on a swap-backed folio it means "in the swap cache". */
    private static final int PG_SWAPCACHE = PageFlags.PG_owner_priv_1;
    /** PAGE_MAPPING_KSM: both low bits of page->mapping. */
    private static final int PAGE_MAPPING_KSM = MemMap.PAGE_MAPPING_ANON | MemMap.PAGE_MAPPING_MOVABLE;
    /** u64 entries per write: 64K pages (512 KiB), the batch page-types reads in. */
    private static final int BATCH = 64 << 10;

    private Kpageflags() {
    }

    /**
     * Writes /proc/kpageflags for PFN 0 to nrPages-1 to a file, replacing it, in 512 KiB chunks.
     *
     * @return the number of pages written
     */
    public static long write(GuestMemory g, Path file) throws IOException {
        return write(g, file, true);
    }

    /**
     * Writes /proc/kpageflags for PFN 0 to nrPages-1 to a file in 512 KiB chunks; a file that exists is
     * replaced only if {@code replace}.
     *
     * @return the number of pages written
     * @throws java.nio.file.FileAlreadyExistsException if the file exists and may not be replaced
     */
    public static long write(GuestMemory g, Path file, boolean replace) throws IOException {
        MemMap map = g.map;
        ByteBuffer buf = ByteBuffer.allocate(BATCH * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = replace ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING) : FileChannel.open(file, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            // the end of the free buddy block the walk is in: blocks are aligned, so their head comes first
            long freeEnd = 0;
            for (int pfn = 0; pfn < map.nrPages; pfn++) {
                if (map.hasType(pfn, PageType.BUDDY)) {
                    int order = Math.min(Math.max(map.pagePrivate[pfn], 0), Mm.MAX_PAGE_ORDER);
                    freeEnd = Math.max(freeEnd, (long) pfn + (1L << order));
                }
                buf.putLong(stablePageFlags(map, pfn, pfn < freeEnd));
                if (!buf.hasRemaining()) {
                    drain(ch, buf);
                }
            }
            drain(ch, buf);
        }
        return map.nrPages;
    }

    private static void drain(FileChannel ch, ByteBuffer buf) throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
        buf.clear();
    }

    /** stable_page_flags() of one PFN, as /proc/kpageflags holds it at offset 8 * pfn. */
    public static long flagsOf(GuestMemory g, int pfn) {
        g.checkPfn(pfn);
        return stablePageFlags(g.map, pfn, isFreeBuddyPage(g.map, pfn));
    }

    /** is_free_buddy_page(): the page lies in a free block (whose head is PageBuddy with a big enough order). */
    static boolean isFreeBuddyPage(MemMap map, int pfn) {
        for (int order = 0; order < Mm.NR_PAGE_ORDERS; order++) {
            int head = pfn & ~((1 << order) - 1);
            if (map.hasType(head, PageType.BUDDY) && map.pagePrivate[head] >= order) {
                return true;
            }
        }
        return false;
    }

    private static long bit(int kpf) {
        return 1L << kpf;
    }

    private static long copyBit(int k, int kbit, int ubit) {
        return (long) ((k >>> kbit) & 1) << ubit;
    }

    /**
     * stable_page_flags(): the flags of the page's folio (for a tail page, its head's), the page
     * types of the page itself, and the pseudo flags for mapped, anon and compound pages.
     *
     * @param inFreeBlock is_free_buddy_page(page), which the caller may know from its walk
     */
    static long stablePageFlags(MemMap map, int pfn, boolean inFreeBlock) {
        int head = map.compoundHead(pfn);
        int k = map.flagsWord(head);
        int mapping = map.mapping[head];
        boolean isAnon = (mapping & MemMap.PAGE_MAPPING_ANON) != 0;
        long u = 0;

        // pseudo flags for the well known (anonymous) memory mapped pages
        if (map.mapcount(pfn) > 0 || map.mapcount(head) > 0) {
            u |= bit(KPF_MMAP);
        }
        if (isAnon) {
            u |= bit(KPF_ANON);
            if ((mapping & PAGE_MAPPING_KSM) == PAGE_MAPPING_KSM) {
                u |= bit(KPF_KSM);
            }
        }

        // compound pages: head and tail together give the compound page's start, end and order
        if (head == pfn) {
            u |= copyBit(k, PageFlags.PG_head, KPF_COMPOUND_HEAD);
        } else {
            u |= bit(KPF_COMPOUND_TAIL);
        }
        boolean large = (k & PageFlags.bit(PageFlags.PG_head)) != 0;
        if (map.hasType(head, PageType.HUGETLB)) {
            u |= bit(KPF_HUGE);
        } else if (large && isAnon) {
            // folio_test_large_rmappable(): any anon large folio, not only PMD-sized ones
            u |= bit(KPF_THP);
        }

        // PG_buddy is only on the head of a free block; the pages inside it are free buddy pages too
        if (map.hasType(pfn, PageType.BUDDY)) {
            u |= bit(KPF_BUDDY);
        } else if (map.refcount(head) == 0 && inFreeBlock) {
            u |= bit(KPF_BUDDY);
        }
        // a 2019 aerated page is Offline combined with Buddy ([PATCH v1 4/6]): v5.2's PageOffline() saw both
        if (map.hasType(pfn, PageType.OFFLINE) || map.pageAerated(pfn)) {
            u |= bit(KPF_OFFLINE);
        }
        if (map.hasType(pfn, PageType.TABLE)) {
            u |= bit(KPF_PGTABLE);
        }
        if (map.hasType(head, PageType.SLAB)) {
            u |= bit(KPF_SLAB);
        }

        u |= copyBit(k, PageFlags.PG_locked, KPF_LOCKED);
        u |= copyBit(k, PageFlags.PG_dirty, KPF_DIRTY);
        u |= copyBit(k, PageFlags.PG_uptodate, KPF_UPTODATE);
        u |= copyBit(k, PageFlags.PG_writeback, KPF_WRITEBACK);

        u |= copyBit(k, PageFlags.PG_lru, KPF_LRU);
        u |= copyBit(k, PageFlags.PG_referenced, KPF_REFERENCED);
        u |= copyBit(k, PageFlags.PG_active, KPF_ACTIVE);
        u |= copyBit(k, PageFlags.PG_reclaim, KPF_RECLAIM);

        int swapcache = PageFlags.bit(PageFlags.PG_swapbacked) | PageFlags.bit(PG_SWAPCACHE);
        if ((k & swapcache) == swapcache) {
            u |= bit(KPF_SWAPCACHE);
        }
        u |= copyBit(k, PageFlags.PG_swapbacked, KPF_SWAPBACKED);

        u |= copyBit(k, PageFlags.PG_unevictable, KPF_UNEVICTABLE);
        u |= copyBit(k, PageFlags.PG_mlocked, KPF_MLOCKED);

        u |= copyBit(k, PageFlags.PG_reserved, KPF_RESERVED);
        u |= copyBit(k, PageFlags.PG_owner_2, KPF_OWNER_2);
        u |= copyBit(k, PageFlags.PG_private, KPF_PRIVATE);
        u |= copyBit(k, PageFlags.PG_private_2, KPF_PRIVATE_2);
        u |= copyBit(k, PageFlags.PG_owner_priv_1, KPF_OWNER_PRIVATE);
        u |= copyBit(k, PageFlags.PG_arch_1, KPF_ARCH);
        return u;
    }
}

package org.mmlab.mm.shell;

import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.TreeMap;

import org.mmlab.mm.MemoryManager;

/**
 * The blocks mm:alloc handed out in the running guest, by PFN and order, until mm:free gives them
 * back: mm:free frees nothing else. A reboot forgets them, with the guest they were in.
 */
final class ShellAllocations {
    /** A block mm:alloc handed out: 2^order pages from pfn. */
    record Block(int pfn, int order) {
        boolean contains(int p) {
            return p >= pfn && p < pfn + (1 << order);
        }
    }

    /** Weak: an old guest's memmap must be garbage before the next guest allocates its own. */
    private WeakReference<MemoryManager> guest = new WeakReference<>(null);
    private final TreeMap<Integer, Integer> orders = new TreeMap<>();

    synchronized void allocated(MemoryManager g, int pfn, int order) {
        forgetOtherGuest(g);
        orders.put(pfn, order);
    }

    /** The block of guest g that holds pfn, or null if mm:alloc handed out none there. */
    synchronized Block containing(MemoryManager g, int pfn) {
        forgetOtherGuest(g);
        Map.Entry<Integer, Integer> e = orders.floorEntry(pfn);
        Block b = e == null ? null : new Block(e.getKey(), e.getValue());
        return b != null && b.contains(pfn) ? b : null;
    }

    /** Takes the block (pfn, order) out of the record: true if it was there, and only then may it be freed. */
    synchronized boolean take(MemoryManager g, int pfn, int order) {
        forgetOtherGuest(g);
        return orders.remove(pfn, order);
    }

    private void forgetOtherGuest(MemoryManager g) {
        if (guest.get() != g) {
            guest = new WeakReference<>(g);
            orders.clear();
        }
    }
}

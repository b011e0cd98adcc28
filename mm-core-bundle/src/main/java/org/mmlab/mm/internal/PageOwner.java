package org.mmlab.mm.internal;

import java.util.HashMap;
import java.util.Map;

/**
 * A sliver of mm/page_owner.c: the order of each live high-order allocation that is not a
 * compound page, whose tail pages the memmap alone cannot tell from leaked ones.
 */
final class PageOwner {
    private final Map<Integer, Integer> orders = new HashMap<>();

    synchronized void allocated(int pfn, int order) {
        orders.put(pfn, order);
    }

    synchronized void freed(int pfn) {
        orders.remove(pfn);
    }

    synchronized Map<Integer, Integer> snapshot() {
        return new HashMap<>(orders);
    }
}

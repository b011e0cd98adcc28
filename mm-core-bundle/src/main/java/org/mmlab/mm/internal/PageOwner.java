package org.mmlab.mm.internal;

import java.util.Arrays;

/**
 * A sliver of mm/page_owner.c: the order of each live high-order allocation that is not a
 * compound page, whose tail pages the memmap alone cannot tell from leaked ones. An open-addressed
 * PFN-to-order table, so that alloc/free allocate nothing.
 */
final class PageOwner {
    private static final int EMPTY = -1;
    private static final int GONE = -2;

    private int[] keys = new int[64];
    private byte[] orders = new byte[64];
    private int used;

    PageOwner() {
        Arrays.fill(keys, EMPTY);
    }

    /** What forEach() hands over. */
    interface Entry {
        void accept(int pfn, int order);
    }

    synchronized void allocated(int pfn, int order) {
        if ((used + 1) * 2 > keys.length) {
            rehash(keys.length * 2);
        }
        int i = slot(pfn);
        while (keys[i] != EMPTY && keys[i] != GONE && keys[i] != pfn) {
            i = (i + 1) & (keys.length - 1);
        }
        if (keys[i] != pfn) {
            used++;
        }
        keys[i] = pfn;
        orders[i] = (byte) order;
    }

    synchronized void freed(int pfn) {
        int i = find(pfn);
        if (i >= 0) {
            keys[i] = GONE;
        }
    }

    /** The order pfn was allocated with, or 0 when it is not the head of a recorded allocation. */
    synchronized int orderOf(int pfn) {
        int i = find(pfn);
        return i >= 0 ? orders[i] : 0;
    }

    synchronized void forEach(Entry e) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] >= 0) {
                e.accept(keys[i], orders[i]);
            }
        }
    }

    private int find(int pfn) {
        int i = slot(pfn);
        while (keys[i] != EMPTY) {
            if (keys[i] == pfn) {
                return i;
            }
            i = (i + 1) & (keys.length - 1);
        }
        return -1;
    }

    private int slot(int pfn) {
        return (pfn * 0x9E3779B9) >>> 7 & (keys.length - 1);
    }

    private void rehash(int size) {
        int[] oldKeys = keys;
        byte[] oldOrders = orders;
        keys = new int[size];
        orders = new byte[size];
        Arrays.fill(keys, EMPTY);
        used = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] >= 0) {
                allocated(oldKeys[i], oldOrders[i]);
            }
        }
    }
}

package org.mmlab.vmware.internal;

import java.util.Arrays;

/**
 * A list of pages by PFN, for the short-lived lists of struct vmballoon_ctl (pages, refused_pages,
 * prealloc_pages), which the kernel links through page->lru. Grows as needed; taking from it is O(1).
 */
final class PageList {
    private int[] pfns = new int[16];
    private int size;

    void add(int pfn) {
        if (size == pfns.length) {
            pfns = Arrays.copyOf(pfns, size * 2);
        }
        pfns[size++] = pfn;
    }

    int get(int i) {
        return pfns[i];
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** list_first_entry() and list_del(): any page of the list, taken off it. */
    int take() {
        return pfns[--size];
    }

    /** Keeps only the pages whose flag is false, in order (list_move() of the others elsewhere). */
    void removeIf(boolean[] flags) {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (!flags[i]) {
                pfns[n++] = pfns[i];
            }
        }
        size = n;
    }

    /** The pages, as an array of exactly size() entries. */
    int[] toArray() {
        return Arrays.copyOf(pfns, size);
    }

    void clear() {
        size = 0;
    }
}

package org.mmlab.mm.hinting;

import java.util.Arrays;

/**
 * A scatterlist of free blocks (include/linux/scatterlist.h as mm/page_reporting.c fills it): entry i is
 * the block at pfn(i) of 2^order(i) pages (sg_set_page(&sgl[i], page, PAGE_SIZE &lt;&lt; order, 0)). A report
 * hands the device entries [offset, offset + nents).
 */
public final class Scatterlist {
    private final int[] pfn;
    private final int[] order;

    /** kmalloc_array(nents, sizeof(*sgl)) and sg_init_table(): nents empty entries. */
    public Scatterlist(int nents) {
        pfn = new int[nents];
        order = new int[nents];
        Arrays.fill(pfn, -1);
    }

    /** sg_set_page(&amp;sgl[i], pfn_to_page(pfn), PAGE_SIZE &lt;&lt; order, 0). */
    public void setPage(int i, int pfn, int order) {
        this.pfn[i] = pfn;
        this.order[i] = order;
    }

    /** sg_page(&amp;sgl[i]) as a PFN, or -1 for an empty entry. */
    public int pfn(int i) {
        return pfn[i];
    }

    /** get_order(sgl[i].length). */
    public int order(int i) {
        return order[i];
    }

    /** sg_init_table(&amp;sgl[from], n): the entries are empty again. */
    public void init(int from, int n) {
        Arrays.fill(pfn, from, from + n, -1);
        Arrays.fill(order, from, from + n, 0);
    }

    /** The number of entries. */
    public int length() {
        return pfn.length;
    }
}

package org.mmlab.vmware.internal;

import org.mmlab.mm.Mm;

/** enum vmballoon_page_size_type (v6.18.2): the two page sizes the balloon inflates, as vmmemctl names them. */
enum PageSize {
    VMW_BALLOON_4K_PAGE("4k", 0),
    /** VMW_BALLOON_2M_ORDER: PMD_SHIFT - PAGE_SHIFT on x86_64. */
    VMW_BALLOON_2M_PAGE("2M", Mm.PAGEBLOCK_ORDER);

    /** vmballoon_page_size_names[]. */
    final String text;
    /** vmballoon_page_order(). */
    final int order;

    PageSize(String text, int order) {
        this.text = text;
        this.order = order;
    }

    /** vmballoon_page_in_frames(): 4 KiB frames per page. */
    int frames() {
        return 1 << order;
    }
}

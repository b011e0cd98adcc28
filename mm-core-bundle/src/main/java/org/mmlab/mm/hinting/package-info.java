/**
 * Free page hinting between the buddy allocator and a hinting design: what mm/page_alloc.c and
 * include/linux/mmzone.h give a design ({@link PageAllocHinting}), the hooks the free path calls in a
 * design ({@link PageReportingHooks}, {@link AeratorHooks}), and what a hinting device supplies and
 * registers with ({@link HintingDevice}, {@link FreePageReporting}). Mainline free page reporting
 * (mm/page_reporting.c, v5.7 on) and Duyck's 2019 aerator ([PATCH v1 4/6-6/6], mm/aeration.c) both
 * fit it; aeration-bundle holds the designs.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.mmlab.mm.hinting;

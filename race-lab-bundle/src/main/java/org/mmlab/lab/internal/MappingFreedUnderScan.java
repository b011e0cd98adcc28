package org.mmlab.lab.internal;

import java.util.List;

import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.ModulePolicy;

/**
 * Race 13, found by a 10,000-cycle storm under 2012/module-ref (docs/race-lab.md): v3.8's lockless
 * balloon_page_movable() (include/linux/balloon_compaction.h) loads page-&gt;mapping, then, in
 * __is_movable_balloon_page()'s mapping_balloon(), mapping-&gt;flags, holding no page lock. Compaction
 * stops between the two loads; the admin thread stops and uninstalls virtio-bundle: virtballoon_remove()
 * drains the balloon (each balloon_page_dequeue() clears page-&gt;mapping under the page lock and
 * pages_lock, v3.8's rule i) and then balloon_mapping_free() kfree()s the mapping; compaction's second
 * load reads the freed object. Rule i orders the stores to page-&gt;mapping, not the mapping's lifetime;
 * module-ref and osgi-drain guard the module's text and the pages isolated, and the scan has isolated
 * nothing yet. The kernel's fix was the 2014 redesign (d6d86c0a7f8d, v3.18, backported to 3.12): the
 * balloon mark in the page itself, no mapping to dereference; the 2016 design's lockless __PageMovable()
 * tests the pointer's low bits only and reads the mapping under the page lock, after the drain cleared it;
 * the 2025 design marks balloon pages by their page type and has no mapping to free.
 */
final class MappingFreedUnderScan extends VirtioUnloadRace {
    static final String V38 = "v3.8";
    /** The window: the mapping is freed while compaction is between its two loads. */
    static final String FREED_BETWEEN = "admin@mapping.free < compaction@" + InjectionPoints.BALLOON_MAPPING_BALLOON;
    /** Under 2016: freed after the lockless look, before isolation's get_page_unless_zero(). */
    static final String FREED_BEFORE_ISOLATION = "admin@mapping.free < compaction@" + InjectionPoints.ISOLATE_GET_PAGE;
    private static final String COMPACTION_FIRST = "compaction@start < admin@start, ";

    MappingFreedUnderScan() {
        super(new RaceMetadata("mapping-freed-under-scan",
                "Khlebnikov, linux-mm 2014-08-20, [PATCH 1/7] mm/balloon_compaction: ignore anonymous pages",
                "Sasha Levin reported KASAN splash inside isolate_migratepages_range(). Problem is in function"
                        + " __is_movable_balloon_page() which tests AS_BALLOON_MAP in page->mapping->flags.",
                RaceMetadata.variants(V38, "virtio-balloon's remove as v3.8 has it: remove_common() drains the"
                        + " balloon, then the device's mapping is freed (balloon_mapping_free(); under 2016, iput() of"
                        + " the balloon inode)"),
                new Setup(MigrationContract.BALLOON_2012, ModulePolicy.NONE, V38),
                // 2016 reads the mapping only under the page lock, after the drain cleared page->mapping; 2025 has no
                // balloon mapping at all (page_has_movable_ops() reads the page type): the remove frees none
                List.of(Pass.survives(new Setup(MigrationContract.NON_LRU_2016, ModulePolicy.NONE, V38)),
                        Pass.closes(new Setup(MigrationContract.MOVABLE_OPS_2025, ModulePolicy.NONE, V38),
                                FREED_BEFORE_ISOLATION)),
                List.of("compaction", "admin"),
                "the same under module-ref and osgi-drain: the scan holds no page and no call into the module, so"
                        + " neither waits for it; the quote is a KASAN report of the same load (an anonymous page's"
                        + " anon_vma read as a mapping): the window of the mapping freed at remove is the lab's,"
                        + " from v3.8's rules (rule i orders page->mapping's stores under the page lock; nothing keeps"
                        + " the mapping's memory for a lockless reader; virtballoon_remove() calls"
                        + " balloon_mapping_free() after remove_common()); under 2016 compaction waits at"
                        + " isolate.get_page instead, after its lockless look, and so under 2025, whose remove frees"
                        + " no mapping",
                COMPACTION_FIRST + FREED_BETWEEN,
                "BUG: KASAN: slab-use-after-free in isolate_migratepages_block"));
    }

    /**
     * 2016's lockless test has one load, of the pointer's low bits, and 2025's reads the page type: there
     * compaction waits after it, before isolating.
     */
    @Override
    public String script(Setup setup) {
        return setup.contract() == MigrationContract.BALLOON_2012 ? script()
                : COMPACTION_FIRST + FREED_BEFORE_ISOLATION;
    }

    /** Race 4's report has the same title: this one's object was freed by virtio's remove. */
    @Override
    public boolean reportIsOurs(String report) {
        return super.reportIsOurs(report) && KasanReports.freedBy(report).contains("virtballoonRemove");
    }
}

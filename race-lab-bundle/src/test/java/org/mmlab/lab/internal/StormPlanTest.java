package org.mmlab.lab.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmlab.lab.internal.StormOp.Kind;

/** A storm's cycles from its seed, written and read back as lab:storm --replay takes them, and its counts. */
class StormPlanTest {
    static final List<String> FAMILIES = List.of("virtio", "vmware");
    static final List<Kind> KINDS = List.of(Kind.values());

    @Test
    void theSameSeedGivesTheSameCyclesAndAnotherSeedOthers() {
        assertThat(StormPlan.cycles(7, 200, FAMILIES, KINDS)).isEqualTo(StormPlan.cycles(7, 200, FAMILIES, KINDS))
                .isNotEqualTo(StormPlan.cycles(8, 200, FAMILIES, KINDS));
    }

    @Test
    void everyOperationAndBothFamiliesAtOnceComeUpAndTwoAtOnceAreTwoFamilies() {
        List<List<StormOp>> cycles = StormPlan.cycles(1, 400, FAMILIES, KINDS);

        assertThat(cycles.stream().flatMap(List::stream).map(StormOp::kind).distinct()).containsExactlyInAnyOrder(
                Kind.values());
        assertThat(cycles).anyMatch(c -> c.size() == 2).allMatch(c -> c.size() == 1
                || !c.get(0).family().equals(c.get(1).family()));
    }

    @Test
    void cyclesReadBackAsWritten() {
        List<List<StormOp>> cycles = StormPlan.cycles(3, 50, FAMILIES, KINDS);

        assertThat(StormOp.parseCycles(StormOp.cycles(cycles), FAMILIES)).isEqualTo(cycles);
        assertThat(StormOp.cycles(List.of(List.of(new StormOp(Kind.STOP, "virtio"), new StormOp(Kind.CONFIG,
                "vmware")), List.of(new StormOp(Kind.UNINSTALL, "vmware"))))).isEqualTo(
                        "stop:virtio+config:vmware uninstall:vmware");
    }

    @Test
    void aBadOperationListIsRefusedInOneLineSayingWhatIsAllowed() {
        assertThatThrownBy(() -> StormOp.parseCycles("stop:virtio reboot:virtio", FAMILIES))
                .hasMessage("no storm operation 'reboot': use stop, uninstall, refresh, update, config");
        assertThatThrownBy(() -> StormOp.parseCycles("stop:xen", FAMILIES))
                .hasMessage("storm operation 'stop:xen' names no driver family of this lab: the families are virtio,"
                        + " vmware");
        assertThatThrownBy(() -> StormOp.parseCycles("stop", FAMILIES))
                .hasMessageStartingWith("storm operation 'stop': write KIND:FAMILY");
        assertThatThrownBy(() -> StormOp.parseCycles("stop:virtio+update:virtio", FAMILIES))
                .hasMessageContaining("names virtio twice");
        assertThatThrownBy(() -> StormOp.parseCycles("  ", FAMILIES)).hasMessageStartingWith("no storm operations");
    }

    @Test
    void pagesLostAndMismatchesAreCountedFromMmChecksProblems() {
        List<String> problems = List.of("page neither free nor allocated: pfn 0x10: refcount 0, not free",
                "page neither free nor allocated: pfn 0x11: refcount 0, not free",
                "page neither free nor allocated: ... and 7 more",
                "host-held frame in guest use: pfn 0x20, which virtio0 holds, is free",
                "workload data loss: 3 reads since start found content the process had not written",
                "workload content: pfn 0x30 holds 0x1, pid 4 wrote 0x2",
                "bundle invariant: virtio 0: num_pages 3 but 2 pages listed");

        assertThat(StormCheck.count(problems, StormCheck.LOST)).isEqualTo(10);
        assertThat(StormCheck.count(problems, StormCheck.MISMATCH)).isEqualTo(4);
        assertThat(StormCheck.orphaned(List.of("bundle invariant: balloon: virtio-balloon 0 holds 15581 pages (15581"
                + " listed + 0 isolated) that no driver will give back: its driver virtio-bundle [82] stopped without"
                + " removing it (orphaned)"))).isEqualTo(15581);
    }

    @Test
    void aReportIsShownOnceWithItsCountAndTheCataloguedRaceItIs() {
        String unload = "BUG: KASAN: use-after-unload in b_dev_info->migratepage at return";
        String badPage = "BUG: Bad page state in process virtio_balloon   pfn:e53ab";
        Catalogue catalogue = Catalogue.all();
        List<String> races = List.of(catalogue.naming(unload), catalogue.naming(badPage), catalogue.naming(unload));

        assertThat(StormRuns.reports(List.of(unload, badPage, unload), races)).containsExactly(
                        "BUG: KASAN: use-after-unload in b_dev_info->migratepage at return (x2) [race 1,"
                                + " unload-during-migration]",
                        "BUG: Bad page state in process virtio_balloon   pfn:e53ab");
    }

    /** Races 4 and 13 share KASAN's title: who freed the mapping says which (the probe's error path, or the remove). */
    @Test
    void aSlabUseAfterFreeInTheScanIsNamedByWhoFreedTheMapping() {
        String title = "BUG: KASAN: slab-use-after-free in isolate_migratepages_block";
        String stack = "Read of size 8 at addr ffff888200000c00 by task sim-compaction/41\nAllocated by task 7:\n"
                + " MovablePagesImpl.kmalloc+95\nFreed by task %d:\n MovablePagesImpl.freeMapping+111\n"
                + " MovablePages2012Impl.balloonMappingFree+30\n%s\nThe buggy address belongs to the object at"
                + " ffff888200000c00";
        Catalogue catalogue = Catalogue.all();

        assertThat(catalogue.naming(title + "\n" + String.format(stack, 41, " VirtioBalloon.outFreeVb+245")))
                .isEqualTo(" [race 4, freed-mapping-not-cleared]");
        assertThat(catalogue.naming(title + "\n" + String.format(stack, 42, " Balloon2012.devinfoRemove+95\n"
                + " VirtioBalloon.virtballoonRemove+591"))).isEqualTo(" [race 13, mapping-freed-under-scan]");
        assertThat(catalogue.naming(title)).as("no stack: neither race's for sure").isEmpty();
    }
}

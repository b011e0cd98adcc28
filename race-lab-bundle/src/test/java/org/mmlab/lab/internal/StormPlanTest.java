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
        assertThat(StormRuns.reports(List.of("BUG: KASAN: use-after-unload in b_dev_info->migratepage at return",
                "BUG: Bad page state in process virtio_balloon   pfn:e53ab",
                "BUG: KASAN: use-after-unload in b_dev_info->migratepage at return"))).containsExactly(
                        "BUG: KASAN: use-after-unload in b_dev_info->migratepage at return (x2) [race 1,"
                                + " unload-during-migration]",
                        "BUG: Bad page state in process virtio_balloon   pfn:e53ab");
    }
}

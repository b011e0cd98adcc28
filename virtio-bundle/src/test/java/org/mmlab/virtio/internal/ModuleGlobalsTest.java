package org.mmlab.virtio.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.AddressSpace;
import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;
import org.mmlab.mm.hinting.PageAllocHinting;
import org.mmlab.mm.hinting.Scatterlist;

/**
 * The module's static data (ModuleGlobals) lives as long as the module in one guest: kept while the bundle
 * is active and the guest runs, whatever device comes and goes, and made afresh by a reboot, as the kernel
 * loads every module afresh; never kept across a reboot because the registry was (a race batch holds it).
 */
class ModuleGlobalsTest {
    private static final String OFFER = Features.DEFAULT_OFFER + ",REPORTING";
    private static final String WARNING = "virtballoon_free_page_report: WARN_ON_ONCE(err)";

    /** A broken device refuses a report of a free order-10 block: WARN_ON_ONCE(err), the first time. */
    private static long refuseAReport(TestGuest g, String name) {
        VirtioBalloonDevice d = g.device(name, OFFER, "0", 0, "normal", 5_000);
        d.vdev().breakDevice();
        PageAllocHinting core = g.mm.guest().hinting();
        core.spinLock(0);
        int pfn;
        try {
            pfn = core.listNext(core.freeList(0, Mm.MAX_PAGE_ORDER, MigrateType.MOVABLE.ordinal()));
            assertThat(core.isolateFreePage(pfn, Mm.MAX_PAGE_ORDER)).isPositive();
        } finally {
            core.spinUnlock(0);
        }
        Scatterlist sg = new Scatterlist(1);
        sg.setPage(0, pfn, Mm.MAX_PAGE_ORDER);
        assertThat(d.driver().reporting.report(sg, 0, 1)).isEqualTo(-28);
        core.spinLock(0);
        try {
            core.putbackIsolatedPage(pfn, Mm.MAX_PAGE_ORDER, MigrateType.MOVABLE.ordinal());
        } finally {
            core.spinUnlock(0);
        }
        d.deactivate();
        return g.dmesg().stream().filter(l -> l.contains(WARNING)).count();
    }

    @Test
    void aWarnOnceWarnsOnceAGuestThoughTheModuleStaysLoadedAcrossTheReboot() {
        DeviceRegistry module = new DeviceRegistry();
        try (TestGuest first = new TestGuest(module)) {
            assertThat(refuseAReport(first, "0")).isEqualTo(1);
            assertThat(refuseAReport(first, "1")).as("another device of the same module in the same guest")
                    .isEqualTo(1);
        }
        try (TestGuest rebooted = new TestGuest(module)) {
            assertThat(refuseAReport(rebooted, "0")).as("the rebooted guest's module warns afresh").isEqualTo(1);
        }
    }

    /**
     * The v7 patch's balloon_mapping left pointing to a freed mapping (mappingFree=v7: kfree() without = NULL;
     * the v7 lifecycle itself runs only under the 2012 contract, in the framework: race 3).
     */
    @Test
    void theV7BalloonMappingIsNotKeptAcrossAReboot() {
        DeviceRegistry module = new DeviceRegistry();
        AddressSpace freed = (AddressSpace) Proxy.newProxyInstance(AddressSpace.class.getClassLoader(),
                new Class<?>[] {AddressSpace.class}, (proxy, method, args) -> null);
        try (TestGuest first = new TestGuest(module)) {
            first.device("0").deactivate();
            module.globals(first.mm).balloonMapping.set(freed);
            first.device("1").deactivate();
            assertThat(module.globals(first.mm).balloonMapping.get()).as("the same module in the same guest")
                    .isSameAs(freed);
        }
        try (TestGuest rebooted = new TestGuest(module)) {
            rebooted.device("0").deactivate();
            assertThat(module.globals(rebooted.mm).balloonMapping.get()).as("balloon_mapping in a fresh guest")
                    .isNull();
        }
    }
}

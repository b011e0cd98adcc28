package org.mmlab.itest;

import java.util.function.Supplier;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.admin.Compactor;
import org.mmlab.mm.admin.GuestCheck;
import org.mmlab.mm.admin.GuestConfig;
import org.mmlab.mm.admin.GuestPages;
import org.mmlab.mm.admin.GuestViews;
import org.mmlab.mm.admin.WorkloadControl;
import org.mmlab.mm.lab.DebugSwitches;

/**
 * The set-up of the tests that run on a guest of their own, registered as a field ({@code @RegisterExtension
 * final FreshGuestSetup guest = new FreshGuestSetup();}): before each test a fresh default guest boots
 * (FreshGuest) under the contract, 2025 unless told, and kcompactd stops, so that only the test
 * compacts; after each test, once its own {@code @AfterEach} ran, kcompactd starts again. It hands out
 * mm-core's admin services and the guest's MemFree at boot.
 */
final class FreshGuestSetup implements BeforeEachCallback, AfterEachCallback {
    private final Supplier<MigrationContract> contract;
    private GuestConfig config;
    private Compactor compactor;
    private GuestViews views;
    private GuestPages pages;
    private GuestCheck checker;
    private WorkloadControl workload;
    private DebugSwitches debug;
    private long memFreeAtBootKb;

    FreshGuestSetup() {
        this(() -> MigrationContract.MOVABLE_OPS_2025);
    }

    /** A guest under the contract the test says, read before each test (a parameterised class's). */
    FreshGuestSetup(Supplier<MigrationContract> contract) {
        this.contract = contract;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        config = Services.get(GuestConfig.class);
        compactor = Services.get(Compactor.class);
        views = Services.get(GuestViews.class);
        pages = Services.get(GuestPages.class);
        checker = Services.get(GuestCheck.class);
        workload = Services.get(WorkloadControl.class);
        debug = Services.get(DebugSwitches.class);
        FreshGuest.boot(config, contract.get());
        compactor.stopKcompactd();
        memFreeAtBootKb = memFreeKb();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        compactor.startKcompactd();
    }

    GuestConfig config() {
        return config;
    }

    Compactor compactor() {
        return compactor;
    }

    GuestViews views() {
        return views;
    }

    WorkloadControl workload() {
        return workload;
    }

    DebugSwitches debug() {
        return debug;
    }

    /** mm:check's verdict on the guest now. */
    String check() {
        return checker.check().verdict();
    }

    GuestCheck checker() {
        return checker;
    }

    /**
     * MemFree of /proc/meminfo now, in kB, once drain_all_pages() gave the pages on the per-cpu lists back to
     * the buddy allocator: every free page, each once (MemFree leaves the per-cpu lists out, as the kernel's).
     */
    long memFreeKb() {
        drainAllPages();
        return views.meminfo().get("MemFree");
    }

    /** drain_all_pages(): the pages on the per-cpu lists back to the buddy allocator, where the views count them. */
    void drainAllPages() {
        pages.drainAllPages();
    }

    /** MemFree right after the boot, with kcompactd stopped. */
    long memFreeAtBootKb() {
        return memFreeAtBootKb;
    }
}

package org.mmlab.lab.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.mmlab.mm.Hypervisor;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.MovablePages;
import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.MmLab;
import org.mmlab.mm.lab.ModulePolicy;
import org.mmlab.vmware.VmwBalloonState;
import org.mmlab.vmware.VmwBalloons;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Race 9, from vmw_balloon's own history (commit 4ba5a8a7faa6, v6.18-rc3, "vmw_balloon: indicate success
 * when effectively deflating during migration", David Hildenbrand; Fixes: 3544c4faccb8): compaction
 * migrates a 4 KiB page of the VMware balloon; vmballoon_migratepage() has UNLOCKed the old page when the
 * hypervisor's target drops by a page, so it refuses the LOCK of the new one (it needs no more memory).
 * From v5.1 (83a8afa72e9c) the driver then deflated the old page itself and answered -EBUSY; the 2016
 * core saw a page its owner had released and freed it, but since 3544c4faccb8 (v6.17) the core keeps
 * it isolated and puts it back, and balloon_page_putback() finds it no device's: WARN_ON_ONCE(!b_dev_info).
 * The fix answers 0, so the core frees the page as migrated; the 2026 series answers -ENOENT and deflates
 * it in the core. The race lab drives the hypervisor through the VmwBalloons service.
 */
final class VmwDeflateDuringMigration implements Race {
    static final String EBUSY = "ebusy";
    static final String SUCCESS = "success";
    static final String ENOENT = "enoent";
    /** Frames, 4 KiB pages all: the device's hypervisor offers no 2 MiB commands (2 MiB pages are not movable). */
    static final int PAGES = 64;
    static final String CAPABILITIES = "BASIC_CMDS,BATCHED_CMDS,SIGNALLED_WAKEUP_CMD,64_BIT_TARGET";

    private final Device0 device0 = new Device0(VmwBalloons.FACTORY_PID);
    private ServiceTracker<VmwBalloons, VmwBalloons> vmw;
    /** Device 0 has the batch's configuration. */
    private boolean configured;

    @Override
    public String name() {
        return "vmw-deflate-during-migration";
    }

    @Override
    public String seed() {
        return "kernel commit 4ba5a8a7faa6";
    }

    @Override
    public String quote() {
        return "When later trying to putback that page, we will run into the WARN_ON_ONCE() in balloon_page_putback()";
    }

    @Override
    public Map<String, String> variants() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put(EBUSY, "v5.1 to v6.18-rc2: the driver deflates the old page itself and answers -EBUSY (migratepage=ebusy)");
        v.put(SUCCESS, "4ba5a8a7faa6: the driver deflates the old page itself and answers 0");
        v.put(ENOENT, "the 2026 series: the driver answers -ENOENT and the balloon core deflates the old page");
        return v;
    }

    @Override
    public Setup fails() {
        return new Setup(MigrationContract.MOVABLE_OPS_2025, ModulePolicy.NONE, EBUSY);
    }

    /** Every fix sees the window: the hypervisor refuses the new page; what differs is who frees the old one. */
    @Override
    public List<Pass> passes() {
        return List.of(Pass.survives(new Setup(MigrationContract.MOVABLE_OPS_2025, ModulePolicy.NONE, SUCCESS)),
                Pass.survives(new Setup(MigrationContract.MOVABLE_OPS_2025, ModulePolicy.NONE, ENOENT)),
                Pass.survives(new Setup(MigrationContract.NON_LRU_2016, ModulePolicy.NONE, EBUSY)));
    }

    @Override
    public List<String> threadNames() {
        return List.of("compaction", "host");
    }

    @Override
    public String conditions() {
        return "the VMware balloon's device 0 holds " + PAGES + " 4 KiB pages (its hypervisor offers no 2 MiB"
                + " commands); the host thread lowers the hypervisor's target by a page, within the driver's 2 MiB"
                + " deflate slack, so only the migration's LOCK meets it; 2012 has no vmw compaction (v5.1)";
    }

    /**
     * The host starts once compaction is inside vmballoon_migratepage(), and its target has dropped before
     * compaction goes on from the UNLOCK of the old page to the LOCK of the new one.
     */
    @Override
    public String script() {
        return "compaction@call.enter:b_dev_info.migratepage < host@start, host@lab.host_target"
                + " < compaction@vmw.migrate_unlocked";
    }

    @Override
    public String report() {
        return "WARNING: CPU: 0 at mm/balloon.c balloon_page_putback: WARN_ON_ONCE(!b_dev_info)";
    }

    /** Once a batch (and after a run that reported): the guest, then device 0 running the variant's migratepage. */
    @Override
    public void prepareBatch(LabContext lab, Setup setup) throws Exception {
        if (setup.contract() == MigrationContract.BALLOON_2012) {
            throw new IllegalArgumentException("race " + name() + " has no 2012 setup: vmw_balloon's compaction came"
                    + " with v5.1 (use --contract 2016 or 2025)");
        }
        if (vmw == null) {
            vmw = new ServiceTracker<>(lab.context, VmwBalloons.class, null);
            vmw.open();
        }
        lab.bootWith(setup.contract());
        lab.kcompactd(false);
        if (!configured) { // once: setting it again would have SCR make the device again, maybe during a run
            device0.set(lab, Map.of("hostCapabilities", CAPABILITIES, "migratepage", setup.variant(), "hostTarget",
                    String.valueOf(PAGES)));
            configured = true;
        }
    }

    /**
     * Each run: the balloon back at PAGES (a failing run left it a page short), every page of it listed and
     * movable in the guest that runs now (after a reboot the old guest's device may still answer for a
     * moment), and its lowest page migrated.
     */
    @Override
    public Map<String, Runnable> prepare(LabContext lab, Setup setup) throws Exception {
        VmwBalloons balloons = vmw.waitForService(LabContext.WAIT_MS);
        MemoryManager mm = lab.mm();
        MovablePages mp = lab.movablePages();
        long deadline = System.currentTimeMillis() + LabContext.WAIT_MS;
        int pfn = -1;
        VmwBalloonState s = null;
        while (pfn < 0) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the VMware balloon did not reach " + PAGES + " movable pages under"
                        + " migratepage=" + setup.variant() + ": " + s);
            }
            s = balloons.device(Device0.NAME).orElse(null); // empty while device 0 is initialised again
            if (s != null && s.hostTarget() != PAGES) {
                try {
                    balloons.setHostTarget(Device0.NAME, PAGES);
                } catch (IllegalArgumentException gone) {
                    s = null; // removed since (SCR makes it again after a reboot): asked again once it runs
                }
            }
            if (s != null && s.size() == PAGES && s.pages4k() == PAGES && s.isolatedPages() == 0 && !s.resetting()
                    && s.migratepage().equals(setup.variant())) {
                pfn = lowestMovablePage(mm, mp);
            }
            Thread.sleep(1);
        }
        MmLab mmLab = lab.mmLab();
        int page = pfn;
        Map<String, Runnable> threads = new LinkedHashMap<>();
        threads.put("compaction", () -> mm.migrateRange(page, page + 1, MigrateMode.SYNC));
        threads.put("host", () -> {
            balloons.setHostTarget(Device0.NAME, PAGES - 1); // it needs a page less: within the deflate slack
            mmLab.injectionPoint(InjectionPoints.LAB_HOST_TARGET, -1);
        });
        return threads;
    }

    /**
     * The lowest frame device 0's hypervisor holds in this guest, once it holds PAGES and every one is a
     * movable balloon page; -1 until then.
     */
    private static int lowestMovablePage(MemoryManager mm, MovablePages mp) {
        int lowest = -1;
        int held = 0;
        for (int pfn = 0; pfn < mm.nrPages(); pfn++) {
            Hypervisor h = mm.frameHolder(pfn);
            if (h != null && h.name().equals("vmware hypervisor " + Device0.NAME)) {
                if (!VirtioUnloadRace.isBalloonPage(mp, pfn)) {
                    return -1;
                }
                lowest = lowest < 0 ? pfn : lowest;
                held++;
            }
        }
        return held == PAGES ? lowest : -1;
    }

    /** Between runs: nothing; the next prepare() brings the balloon back to PAGES. */
    @Override
    public void reset(LabContext lab) {
    }

    @Override
    public void cleanup(LabContext lab) throws Exception {
        device0.restore(lab);
        configured = false;
        if (vmw != null) {
            vmw.close();
            vmw = null;
        }
        lab.bootWith(MigrationContract.MOVABLE_OPS_2025);
        lab.kcompactd(true);
    }
}

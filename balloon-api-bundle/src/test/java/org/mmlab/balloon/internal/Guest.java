package org.mmlab.balloon.internal;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.balloon.BalloonMigrate;
import org.mmlab.mm.Errno;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.MovablePages2012;
import org.mmlab.mm.internal.MmCore;

/** A booted mm-core (outside the framework) with the balloon infrastructure on it and one driver's view. */
final class Guest {
    final MmCore core;
    final BalloonCore balloon;
    final DriverBalloons driver;

    Guest(MigrationContract contract) {
        MmCore.Config config = (MmCore.Config) Proxy.newProxyInstance(MmCore.Config.class.getClassLoader(),
                new Class<?>[] {MmCore.Config.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "memorySize" -> "64M";
                    case "dma32Size" -> "32M";
                    case "migrationContract" -> contract.value();
                    default -> method.getDefaultValue();
                });
        core = new MmCore(config);
        core.guest().compaction().kcompactd().stop();
        balloon = BalloonFixture.balloonInit(core);
        driver = BalloonFixture.driver(core, balloon, "test-driver", 7);
    }

    /** balloon-api's own service, in a 2012 guest. */
    MovablePages2012 own2012() {
        return (MovablePages2012) balloon.own;
    }

    /** A device of the test driver whose host answers as scripted. */
    BalloonDevInfo device(String name, Host host, boolean adjustManagedPageCount) {
        host.driver = driver;
        return driver.balloonDevinfoInit(name, host, adjustManagedPageCount);
    }

    /** Inflates n pages into b; returns their PFNs. */
    List<Integer> inflate(BalloonDevInfo b, int n) {
        List<Integer> pfns = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int pfn = driver.balloonPageAlloc();
            driver.balloonPageEnqueue(b, pfn);
            pfns.add(pfn);
        }
        return pfns;
    }

    /**
     * The driver's side: records migrations and answers what a test scripted, else 0; a 2012 or 2016
     * driver does its own bookkeeping before it answers 0, as those eras' drivers did.
     */
    static final class Host implements BalloonMigrate {
        final List<int[]> migrations = new ArrayList<>();
        volatile int answer;
        volatile DriverBalloons driver;
        /** The device it accounts migrations on; null: the page's own (the v7 patch's vb_ptr would be another). */
        volatile BalloonDevInfo accountOn;
        /** It deflates the old page itself before it answers, as vmw_balloon did from v5.1 to v6.18. */
        volatile boolean deflatesItself;

        @Override
        public synchronized int migratepage(BalloonDevInfo b, int newPfn, int pfn, MigrateMode mode) {
            migrations.add(new int[] {newPfn, pfn});
            if (deflatesItself) {
                driver.balloonPageDeflatedInMigration(b, pfn);
                return answer;
            }
            if (answer == 0 && driver != null && driver.contract() != MigrationContract.MOVABLE_OPS_2025) {
                driver.balloonPageMigrated(accountOn == null ? b : accountOn, newPfn, pfn);
            }
            return answer;
        }

        static Host answering(int rc) {
            Host h = new Host();
            h.answer = rc;
            return h;
        }

        /** A host that takes the old page back and refuses the new one, as vmw_balloon's migratepage sees it. */
        static Host deflatingItselfAndAnswering(int rc) {
            Host h = answering(rc);
            h.deflatesItself = true;
            return h;
        }

        static final int ENOENT = -Errno.ENOENT;
    }
}

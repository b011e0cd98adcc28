package org.mmlab.itest.careless;

import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.balloon.BalloonMigrate;
import org.mmlab.balloon.Balloons;
import org.mmlab.mm.MigrateMode;

/**
 * A deliberately careless balloon driver, for the tests only (CarelessDriverTest builds a bundle of this
 * class and OSGI-INF/careless.xml): its probe inflates device "careless 0" by {@link #PAGES} pages, and it
 * has no remove path at all, so when its bundle stops its pages stay in the balloon and its migratepage
 * stays their device's callback: the module unloaded without draining. 2025 contract only: the balloon
 * core does the migration's bookkeeping, and this migratepage has no host to tell.
 */
public final class CarelessDriver implements BalloonMigrate {
    public static final String DEVICE = "careless 0";
    public static final int PAGES = 64;

    private volatile Balloons balloons;

    /** DS: the Balloons service, before activate. */
    public void bind(Balloons b) {
        balloons = b;
    }

    /** DS: the probe. No deactivate: the driver forgets to drain. */
    public void activate() {
        BalloonDevInfo b = balloons.balloonDevinfoInit(DEVICE, this, false);
        for (int i = 0; i < PAGES; i++) {
            balloons.balloonPageEnqueue(b, balloons.balloonPageAlloc());
        }
    }

    @Override
    public int migratepage(BalloonDevInfo b, int newPfn, int pfn, MigrateMode mode) {
        return 0;
    }
}

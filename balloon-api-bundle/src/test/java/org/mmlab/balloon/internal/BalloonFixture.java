package org.mmlab.balloon.internal;

import org.mmlab.balloon.Balloons;
import org.mmlab.mm.MovablePages;
import org.mmlab.mm.MovablePages2025;
import org.mmlab.mm.PageType;
import org.mmlab.mm.internal.MmCore;
import org.mmlab.mm.internal.MovablePagesImpl;

/**
 * The balloon infrastructure on a guest booted outside the framework, as BalloonComponent and
 * DriverBalloons build it inside: for balloon-api's tests and, through this module's test-jar, for
 * mm-benchmarks, which would otherwise reach the bundle-private classes by reflection.
 */
public final class BalloonFixture {
    private BalloonFixture() {
    }

    /** balloon_init(): the infrastructure, with balloon_mops registered under the 2025 contract. */
    static BalloonCore balloonInit(MmCore core) {
        BalloonCore balloon = new BalloonCore(core, core, movablePages(core, "balloon-api-bundle", 1));
        if (balloon.own instanceof MovablePages2025 own) {
            own.setMovableOps(balloon.migration.mops, PageType.OFFLINE);
        }
        return balloon;
    }

    /** What a driver bundle gets as its Balloons service. */
    static DriverBalloons driver(MmCore core, BalloonCore balloon, String bundle, long bundleId) {
        return new DriverBalloons(balloon, bundle, bundleId, movablePages(core, bundle, bundleId));
    }

    /** The movable-page service a bundle of this guest gets. */
    private static MovablePages movablePages(MmCore core, String bundle, long bundleId) {
        return (MovablePages) MovablePagesImpl.forBundle(core.guest(), bundle, bundleId);
    }

    /** A fresh balloon infrastructure on core, and driver bundle's view of it. */
    public static Balloons driverBalloons(MmCore core, String bundle, long bundleId) {
        return driver(core, balloonInit(core), bundle, bundleId);
    }
}

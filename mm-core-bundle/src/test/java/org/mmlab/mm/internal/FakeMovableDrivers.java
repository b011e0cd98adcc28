package org.mmlab.mm.internal;

import org.mmlab.mm.testing.TestDriver;
import org.mmlab.mm.testing.TestDriver.Balloon2012;
import org.mmlab.mm.testing.TestDriver.MovableOps2025;
import org.mmlab.mm.testing.TestDriver.NonLru2016;

/**
 * The drivers of the contracts' tests: the shared {@link TestDriver}s (which the in-framework tests run
 * inside Felix too), on a guest booted here, with this package's movable-page services and their
 * implementation types (where an in-framework driver gets its bundle's service from the registry).
 */
final class FakeMovableDrivers {
    /** What balloon_page_alloc() asks for. */
    static final int GFP_BALLOON = TestDriver.GFP_BALLOON;

    private FakeMovableDrivers() {
    }

    static GuestMemory guest(String contract) {
        return new GuestMemory(MmConfig.parse("64M", "32M", "tag", true, true, contract));
    }

    /** A v3.8 virtio-balloon of bundle "fake.balloon2012". */
    static Balloon2012<MovablePages2012Impl> balloon2012(GuestMemory g) {
        return new Balloon2012<>(new MmCore(g), new MovablePages2012Impl(g, "fake.balloon2012", 7));
    }

    /** A v4.8 non-LRU movable page driver of bundle "fake.driver2016". */
    static NonLru2016<MovablePages2016Impl> driver2016(GuestMemory g) {
        return new NonLru2016<>(new MmCore(g), new MovablePages2016Impl(g, "fake.driver2016", 7));
    }

    /** A v6.17 balloon of bundle "fake.driver2025" with movable_ops for PGTY_offline. */
    static MovableOps2025<MovablePages2025Impl> driver2025(GuestMemory g) {
        return new MovableOps2025<>(new MmCore(g), new MovablePages2025Impl(g, "fake.driver2025", 7));
    }
}

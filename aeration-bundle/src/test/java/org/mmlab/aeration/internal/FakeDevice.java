package org.mmlab.aeration.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.mmlab.mm.hinting.HintingDevice;
import org.mmlab.mm.hinting.PageAllocHinting;
import org.mmlab.mm.hinting.Scatterlist;

/**
 * A hinting device that records what each design hands it (blocks as {pfn, order}), and that can be
 * held inside report() or react() until the test lets it go, or fail its reports.
 */
final class FakeDevice implements HintingDevice {
    private final PageAllocHinting core;
    final List<List<int[]>> calls = Collections.synchronizedList(new ArrayList<>());
    volatile int reportError;
    /** Counted down when a call is inside report()/react(); the call then waits for {@link #release}. */
    volatile CountDownLatch inside;
    volatile CountDownLatch release;
    /** Runs inside each call, with its index (0 for the first): what happens while the zone lock is dropped. */
    volatile java.util.function.IntConsumer duringCall = i -> { };

    FakeDevice(PageAllocHinting core) {
        this.core = core;
    }

    @Override
    public String name() {
        return "fake device";
    }

    @Override
    public int report(Scatterlist sg, int offset, int nents) {
        List<int[]> blocks = new ArrayList<>();
        for (int i = offset; i < offset + nents; i++) {
            blocks.add(new int[] {sg.pfn(i), sg.order(i)});
        }
        calls.add(blocks);
        duringCall.accept(calls.size() - 1);
        hold();
        return reportError;
    }

    @Override
    public void react(int batchHead) {
        List<int[]> blocks = new ArrayList<>();
        for (int id = core.listNext(batchHead); id != batchHead; id = core.listNext(id)) {
            blocks.add(new int[] {id, core.pagePrivate(id)});
        }
        calls.add(blocks);
        duringCall.accept(calls.size() - 1);
        hold();
    }

    @Override
    public long capacity() {
        return 32; // VIRTIO_BALLOON_ARRAY_HINTS_MAX
    }

    /** Holds the next call inside the device until {@link #letGo()}; returns the latch to await it with. */
    CountDownLatch holdNextCall() {
        release = new CountDownLatch(1);
        inside = new CountDownLatch(1);
        return inside;
    }

    void letGo() {
        release.countDown();
    }

    private void hold() {
        CountDownLatch in = inside;
        CountDownLatch out = release;
        if (in == null) {
            return;
        }
        inside = null;
        in.countDown();
        try {
            if (!out.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never let the device go");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    int pagesHanded() {
        int n = 0;
        for (List<int[]> c : List.copyOf(calls)) {
            for (int[] b : c) {
                n += 1 << b[1];
            }
        }
        return n;
    }

    int callsMade() {
        return calls.size();
    }
}

package org.mmlab.balloon.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.mm.MigrationContract;

/**
 * The 2012 leak paths: v3.8's (rules i and ii) and the reviewed v7 patch's (the race lab's race 2 shows
 * in Felix what the missing smp_wmb() lets another CPU see between the two stores).
 */
class LeakPathTest {
    private final Guest g = new Guest(MigrationContract.BALLOON_2012);
    private final BalloonDevInfo b = g.device("balloon 0", new Guest.Host(), false);

    @Test
    void v38SkipsAPageAnotherTaskHoldsLockedWhereV7TakesItAnyway() {
        int pfn = g.inflate(b, 1).get(0);
        g.core.lockPage(pfn); // migration holds it
        assertThat(g.driver.balloonPageListDequeue(b, new int[1], 1)).isZero();

        g.balloon.leakPath = LeakPath.V7;
        int[] out = new int[1];
        assertThat(g.driver.balloonPageListDequeue(b, out, 1)).isEqualTo(1);
        assertThat(out[0]).isEqualTo(pfn);
        assertThat(g.core.pageCount(pfn)).as("v7 raised no reference: rule ii came with v3.8").isEqualTo(1);
        g.core.unlockPage(pfn);
    }

    @Test
    void inTheWeakMemoryModePagesLocksReleaseMakesV7sClearedMappingVisible() throws Exception {
        g.core.guest().setWeakMemory(true);
        int pfn = g.inflate(b, 1).get(0);
        g.balloon.leakPath = LeakPath.V7;

        assertThat(g.driver.balloonPageListDequeue(b, new int[1], 1)).isEqualTo(1);

        assertThat(CompletableFuture.supplyAsync(() -> g.own2012().pageMapping(pfn)).get()).isNull();
        g.core.putPage(pfn);
    }

    @Test
    void anUnknownLeakPathIsRefused() {
        assertThatThrownBy(() -> LeakPath.parse("v6")).hasMessage("leakPath=v6: must be v3.8, v7 or v7-wmb");
    }
}

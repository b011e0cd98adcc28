package org.mmlab.virtio.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.Mm;

/** Deflate on OOM (the notifier mm-core calls before it kills) and free page hinting with its shrinker. */
class OomAndHintingTest {

    /** Allocates GFP_KERNEL pages until the allocator fails (the OOM path ran on the way); returns them. */
    private static List<Integer> exhaust(TestGuest g) {
        List<Integer> taken = new ArrayList<>();
        for (int pfn; (pfn = g.mm.allocPages(Gfp.GFP_KERNEL, 0)) != Mm.NO_PAGE;) {
            taken.add(pfn);
        }
        return taken;
    }

    @Test
    void oneOomNotificationLeaks256PagesAndUpdatesActual() {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d = g.device("0");
            g.inflateTo(d, 600);

            long freed = d.driver().virtioBalloonOomNotify();

            assertThat(freed).isEqualTo(VirtioBalloon.VIRTIO_BALLOON_OOM_NR_PAGES);
            assertThat(d.driver().numPages()).isEqualTo(344);
            assertThat(d.host().actual()).isEqualTo(344);
            assertThat(d.host().view().held()).isEqualTo(344);
            assertThat(d.host().target()).as("the host's wish is unchanged").isEqualTo(600);
        }
    }

    @Test
    void withDeflateOnOomMemoryPressureEmptiesTheBalloon() {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d = g.device("0");
            g.inflateTo(d, 1000);

            List<Integer> taken = exhaust(g);

            assertThat(d.driver().numPages()).isZero();
            assertThat(d.host().view().held()).isZero();
            taken.forEach(pfn -> g.mm.freePages(pfn, 0));
        }
    }

    @Test
    void withoutDeflateOnOomTheBalloonKeepsItsPagesUnderPressure() {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d = g.device("0", "MUST_TELL_HOST,STATS_VQ", "1000", 0, "normal", 5_000);
            TestGuest.await("1000 pages", () -> d.driver().numPages() == 1000 && d.driver().idle());

            List<Integer> taken = exhaust(g);

            assertThat(d.driver().numPages()).isEqualTo(1000);
            taken.forEach(pfn -> g.mm.freePages(pfn, 0));
        }
    }

    @Test
    void hintingSendsFreeBlocksUntilTheAllocatorFailsAndDoneGivesThemBack() throws Exception {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d = g.device("0");
            long free = g.mm.freePages();

            long id = d.host().startHinting();
            assertThat(d.host().awaitHintStop(10_000)).isTrue();

            long blocks = d.driver().hinting.numFreePageBlocks();
            assertThat(blocks).as("4 MiB blocks of a 64 MiB guest").isGreaterThan(5);
            assertThat(d.host().view().hintedBlocks()).isEqualTo(blocks);
            assertThat(d.host().view().hintCmdId()).isEqualTo(id);
            assertThat(d.driver().hinting.cmdIdActive()).isEqualTo(id);
            assertThat(g.mm.freePages()).isEqualTo(free - blocks * 1024);
            assertThat(g.mm.allocPages(FreePageHinting.VIRTIO_BALLOON_FREE_PAGE_ALLOC_FLAG, Mm.MAX_PAGE_ORDER))
                    .as("no 4 MiB block left").isEqualTo(Mm.NO_PAGE);

            d.host().sendHintCommand(Uapi.VIRTIO_BALLOON_CMD_ID_DONE);
            TestGuest.await("hinted blocks returned", () -> d.driver().hinting.numFreePageBlocks() == 0);

            assertThat(g.mm.freePages()).isEqualTo(free);
        }
    }

    /**
     * The driver is idle only once balloon-wq's free page work, which a config change queues with the update, is
     * done: a race's run starts then (a target reached), and virtballoon_remove()'s cancel_work_sync() finds nothing
     * running to wait for. Before, idle() looked at the update work only, and race 8's admin waited inside its run
     * for a work that had not ended yet (the watchdog then handed it on, after 200 us or not).
     */
    @Test
    void theDriverIsNotIdleWhileTheFreePageWorkRuns() throws Exception {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d = g.device("0");
            TestGuest.await("idle", () -> d.driver().idle());
            FreePageHinting hinting = d.driver().hinting;
            synchronized (hinting) { // virtio_balloon_cmd_id_received() takes it: the work waits here
                d.host().startHinting();
                TestGuest.await("the free page work queued", hinting::busy);
                assertThat(d.driver().idle()).as("the free page work is queued or runs").isFalse();
            }
            TestGuest.await("the free page work done", () -> !hinting.busy());
            assertThat(d.host().awaitHintStop(10_000)).isTrue();
            TestGuest.await("idle again", () -> d.driver().idle());
        }
    }

    @Test
    void theShrinkerGivesHintedBlocksBackToAnAllocationThatNeedsThem() throws Exception {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d = g.device("0");
            d.host().startHinting();
            assertThat(d.host().awaitHintStop(10_000)).isTrue();
            long blocks = d.driver().hinting.numFreePageBlocks();
            assertThat(d.driver().hinting.virtioBalloonShrinkerCount()).isEqualTo(blocks * 1024);

            int pfn = g.mm.allocPages(Gfp.GFP_KERNEL, Mm.MAX_PAGE_ORDER);

            assertThat(pfn).as("a 4 MiB block, from shrink_slab()").isNotEqualTo(Mm.NO_PAGE);
            assertThat(d.driver().hinting.numFreePageBlocks()).isLessThan(blocks);
            assertThat(d.driver().hinting.virtioBalloonShrinkerScan(1)).as("whole blocks, rounded up").isEqualTo(1024);
            g.mm.freePages(pfn, Mm.MAX_PAGE_ORDER);
        }
    }

    @Test
    void aStopCommandEndsHintingAndTheHintedBlocksStayUntilDone() throws Exception {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d = g.device("0");
            d.host().startHinting();
            assertThat(d.host().awaitHintStop(10_000)).isTrue();
            long blocks = d.driver().hinting.numFreePageBlocks();

            d.host().sendHintCommand(Uapi.VIRTIO_BALLOON_CMD_ID_STOP);
            TestGuest.await("the work ran", () -> !d.driver().hinting.busy());

            assertThat(d.driver().hinting.numFreePageBlocks()).isEqualTo(blocks);
        }
    }
}

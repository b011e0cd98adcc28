package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VmstatViewTest {
    @Test
    void everyCounterIsANameAndADecimalInVmItemOrderEndingWithNrUnstable() {
        GuestMemory g = HandBuiltGuest.boot();
        HandBuiltGuest.populate(g);

        String text = VmstatView.show(g);

        assertThat(text).endsWith("\nnr_unstable 0\n");
        String[] lines = text.split("\n");
        VmItem[] items = VmItem.values();
        assertThat(lines).hasSize(items.length + 1);
        for (int i = 0; i < items.length; i++) {
            assertThat(lines[i]).matches(items[i].kernelName() + " [0-9]+");
        }
    }

    @Test
    void zoneItemsAreSummedOverTheZonesAndTheOthersComeFromTheCounters() {
        GuestMemory g = HandBuiltGuest.boot();
        HandBuiltGuest.Populated p = HandBuiltGuest.populate(g);
        long free = HandBuiltGuest.DMA32_MANAGED + HandBuiltGuest.NORMAL_MANAGED - p.allocatedPages();

        // the counters this scenario moves, in vmstat_text[] order (other VmItems may sit between them)
        assertThat(VmstatView.show(g).split("\n")).containsSubsequence(
                "nr_free_pages " + free,
                "nr_zone_inactive_anon 10",
                "nr_inactive_anon 10",
                "nr_slab_unreclaimable 0",
                "nr_isolated_anon 0",
                "nr_anon_pages 522",
                "nr_page_table_pages 1",
                "pgalloc_dma32 0",
                "pgalloc_normal 527",
                "pgfree 0",
                "pgfault 0",
                "nr_unstable 0");
        assertThat(free).isEqualTo(15601);
    }

    @Test
    void aNodeCounterThatDriftedBelowZeroPrintsAsZero() {
        GuestMemory g = HandBuiltGuest.boot();
        g.vmstat.add(VmItem.NR_ANON_PAGES, -5);

        assertThat(VmstatView.show(g)).contains("\nnr_anon_pages 0\n");
    }
}

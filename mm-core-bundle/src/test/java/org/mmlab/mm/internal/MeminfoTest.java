package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class MeminfoTest {
    /** fs/proc/meminfo.c's lines in its order for the configuration Meminfo models, then hugetlb and x86. */
    private static final List<String> LABELS = List.of("MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached",
            "SwapCached", "Active", "Inactive", "Active(anon)", "Inactive(anon)", "Active(file)", "Inactive(file)",
            "Unevictable", "Mlocked", "SwapTotal", "SwapFree", "Zswap", "Zswapped", "Dirty", "Writeback", "AnonPages",
            "Mapped", "Shmem", "KReclaimable", "Slab", "SReclaimable", "SUnreclaim", "KernelStack", "PageTables",
            "SecPageTables", "NFS_Unstable", "Bounce", "WritebackTmp", "CommitLimit", "Committed_AS", "VmallocTotal",
            "VmallocUsed", "VmallocChunk", "Percpu", "HardwareCorrupted", "AnonHugePages", "ShmemHugePages",
            "ShmemPmdMapped", "FileHugePages", "FilePmdMapped", "Balloon", "HugePages_Total", "HugePages_Free",
            "HugePages_Rsvd", "HugePages_Surp", "Hugepagesize", "Hugetlb", "DirectMap4k", "DirectMap2M",
            "DirectMap1G");

    @Test
    void everyLineHasTheKernelsLabelInTheKernelsOrderAndLayout() {
        GuestMemory g = HandBuiltGuest.boot();
        HandBuiltGuest.populate(g);

        String text = Meminfo.show(g);

        assertThat(text).endsWith(" kB\n");
        String[] lines = text.split("\n");
        assertThat(lines).hasSize(LABELS.size());
        for (int i = 0; i < lines.length; i++) {
            String label = LABELS.get(i) + ":";
            if (label.startsWith("HugePages_")) {
                // "%5lu" after a label padded to 19 columns, no unit
                assertThat(lines[i]).matches(Pattern.quote(label) + " +[0-9]+").hasSize(19 + 5);
            } else if (label.equals("HardwareCorrupted:")) {
                assertThat(lines[i]).isEqualTo("HardwareCorrupted:     0 kB");
            } else {
                // show_val_kb(): the label padded to 16 columns, "%8lu" (wider only when the number is), " kB"
                assertThat(lines[i]).as(label).startsWith(label).hasSizeGreaterThanOrEqualTo(16 + 8 + 3);
                assertThat(lines[i].substring(label.length(), 16)).as(label).isBlank();
                assertThat(lines[i].substring(16)).as(label).matches(" *[0-9]+ kB").hasSizeGreaterThanOrEqualTo(11);
            }
        }
    }

    @Test
    void theValuesAreTheSimulationsMemoryInKilobytes() {
        GuestMemory g = HandBuiltGuest.boot();
        HandBuiltGuest.Populated p = HandBuiltGuest.populate(g);
        long managed = HandBuiltGuest.DMA32_MANAGED + HandBuiltGuest.NORMAL_MANAGED;
        long free = managed - p.allocatedPages();
        // setup_per_zone_wmarks() for 16128 managed pages: min_free_kbytes = sqrt(64512 * 16) = 1015,
        // 253 pages split 124 / 128; high = min + 2 * max(min / 4, managed / 1000) = 186 / 192;
        // DMA32 keeps lowmem_reserve 8192 / 256 = 32 against Normal allocations
        long totalreserve = (32 + 186) + 192;

        Map<String, String> v = parse(Meminfo.show(g));

        assertThat(v.get("MemTotal")).isEqualTo("   64512 kB");
        assertThat(v.get("MemFree")).isEqualTo(String.format("%8d kB", free * 4));
        assertThat(v.get("MemAvailable")).isEqualTo(String.format("%8d kB", (free - totalreserve) * 4));
        assertThat(v.get("Inactive(anon)")).isEqualTo("      40 kB");
        assertThat(v.get("Inactive")).isEqualTo("      40 kB");
        assertThat(v.get("Active")).isEqualTo("       0 kB");
        assertThat(v.get("AnonPages")).isEqualTo("    2088 kB");
        assertThat(v.get("AnonHugePages")).isEqualTo("    2048 kB");
        assertThat(v.get("PageTables")).isEqualTo("       4 kB");
        assertThat(v.get("Balloon")).isEqualTo("      16 kB");
        assertThat(v.get("CommitLimit")).isEqualTo("   32256 kB");
        assertThat(v.get("Committed_AS")).isEqualTo("    2088 kB");
        assertThat(v.get("SwapTotal")).isEqualTo("       0 kB");
        assertThat(v.get("Cached")).isEqualTo("       0 kB");
        assertThat(v.get("Slab")).isEqualTo("       0 kB");
        assertThat(v.get("VmallocTotal")).isEqualTo("34359738367 kB");
        assertThat(v.get("HugePages_Total")).isEqualTo("    0");
        assertThat(v.get("Hugepagesize")).isEqualTo("    2048 kB");
        assertThat(v.get("DirectMap4k")).isEqualTo("    2048 kB");
        assertThat(v.get("DirectMap2M")).isEqualTo("   63488 kB");
        assertThat(v.get("DirectMap1G")).isEqualTo("       0 kB");
    }

    @Test
    void theFieldsAreWhatTheTextPrintsLineByLine() {
        GuestMemory g = HandBuiltGuest.boot();
        HandBuiltGuest.populate(g);

        Map<String, Long> fields = Meminfo.fields(g);

        assertThat(fields.keySet()).containsExactlyElementsOf(LABELS);
        Map<String, String> text = parse(Meminfo.show(g));
        fields.forEach((label, value) -> assertThat(text.get(label).replace(" kB", "").trim()).as(label)
                .isEqualTo(Long.toString(value)));
    }

    @Test
    void memAvailableNeverGoesBelowZero() {
        GuestMemory g = HandBuiltGuest.boot();

        assertThat(Meminfo.siMemAvailable(g, 100, 0, 0)).isZero();
        assertThat(Meminfo.siMemAvailable(g, 1000, 0, 0)).isEqualTo(1000 - PageAllocWatermarks.totalReservePages(g.zones));
    }

    @Test
    void theDirectMapIsThe4kHeadThen2mPagesThen1gPagesBetweenGigabyteBoundaries() {
        long mib = 1L << 20;
        long gib = 1L << 30;

        assertThat(Meminfo.directMapBytes(64 * mib)).containsExactly(2 * mib, 62 * mib, 0);
        assertThat(Meminfo.directMapBytes(4 * gib)).containsExactly(2 * mib, gib - 2 * mib, 3 * gib);
        assertThat(Meminfo.directMapBytes(3 * gib + 2 * mib)).containsExactly(2 * mib, gib, 2 * gib);
        assertThat(Meminfo.directMapBytes(64 * gib)).containsExactly(2 * mib, gib - 2 * mib, 63 * gib);
    }

    /** label to the value field: what follows the label's 16 (or, for "%5lu" lines, 19) columns. */
    private static Map<String, String> parse(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String label = line.substring(0, line.indexOf(':'));
            int width = label.startsWith("HugePages_") || label.equals("HardwareCorrupted") ? 19 : 16;
            m.put(label, line.substring(width));
        }
        return m;
    }
}

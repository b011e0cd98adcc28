package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MmConfigTest {
    @ParameterizedTest(name = "memorySize={0} is refused: {1}")
    @CsvSource({
        "0,      multiple of 2M",
        "-4G,    not a size",
        "3M,     multiple of 2M",
        "16385K, multiple of 2M",
        "8T,     at most 4T",
        "lots,   not a size",
    })
    void aBadMemorySizeIsRefusedWithWhatIsAllowed(String size, String says) {
        assertThatThrownBy(() -> MmConfig.parse(size, "3G", "tag", true, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("memorySize=" + size)
                .hasMessageContaining(says);
    }

    @Test
    void aGuestLargerThanTheHeapCanHoldIsRefusedWithTheHeapItNeeds() {
        assertThatThrownBy(() -> MmConfig.parse("4T", "3G", "tag", true, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MiB of heap")
                .hasMessageContaining("-Xmx");
    }

    @Test
    void onlyTheNewGuestCountsAgainstTheHeapNotTheRunningOne() {
        long gib = 1L << 30;
        // 64 GiB to 80 GiB, 4 GiB to 80 GiB: 800 MiB of memmap in a 1 GiB heap, whatever guest runs now
        MmConfig.parse("80G", "3G", "tag", true, true).checkFits(gib, gib);
        MmConfig.parse("4G", "3G", "tag", true, true).checkFits(gib, gib);
        assertThat(MmConfig.parse("80G", "3G", "tag", true, true).heapBytes()).isEqualTo(800L << 20);
    }

    @Test
    void aGuestThatFitsOnceTheRunningOneIsGoneIsAcceptedWhileTheHeapIsInUse() {
        long max = Runtime.getRuntime().maxMemory();
        long perPage = MemMap.metadataBytesPerPage() + Long.BYTES;
        long pageblock = (long) org.mmlab.mm.Mm.PAGEBLOCK_NR_PAGES << org.mmlab.mm.Mm.PAGE_SHIFT;
        // a memmap that leaves 32 MiB of the heap free beside the lab's own share...
        long bytes = Math.min(4L << 40, (max - MmConfig.HEAP_HEADROOM - (32L << 20)) / perPage * 4096 / pageblock
                * pageblock);
        // ...while a running guest holds 128 MiB of it
        long[] running = new long[16 << 20];

        MmConfig c = MmConfig.parse(Long.toString(bytes), "3G", "tag", true, true);

        assertThat(c.nrPages()).isEqualTo(bytes >> 12);
        assertThat(running).hasSize(16 << 20);
    }

    @Test
    void aHeapTooSmallForTheMemorySizeSaysSoAndWhatToDo() {
        MmConfig c = MmConfig.parse("4G", "3G", "tag", true, true);

        assertThatThrownBy(() -> c.checkFits(150L << 20, 150L << 20)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memorySize=4 GiB needs 40 MiB of heap for its memmap, more than this JVM's 150 MiB of heap"
                        + " leave a guest beside the lab's own 128 MiB: the heap is too small for this memory size;"
                        + " start the lab with more (MMLAB_JAVA_OPTS=-Xmx1g) or choose a smaller memorySize (at most"
                        + " 2252M with this heap)");
        // what it suggests fits
        MmConfig.parse("2252M", "3G", "tag", true, true).checkFits(150L << 20, 150L << 20);
        assertThatThrownBy(() -> c.checkFits(100L << 20, 100L << 20))
                .hasMessageEndingWith("a smaller memorySize will not help: even 16M does not fit");
    }

    @Test
    void aConfigurationGoesToItsPropertiesAndBackUnchanged() {
        MmConfig c = MmConfig.parse("64M", "32M", "frame", false, true, "2012").withLockdep(true);

        MmConfig back = MmConfig.parse(c.properties());

        assertThat(back.properties()).isEqualTo(c.properties()).containsEntry("memorySize", "67108864")
                .containsEntry("contentModel", "frame").containsEntry("lockdep", true);
    }

    @Test
    void eachPropertyIsCheckedOnItsOwnButTheHeapNeedsThemAll() {
        MmConfig.checkProperty("memorySize", "4T");
        MmConfig.checkProperty("debugVm", "garbage"); // DS converts it to false
        assertThatThrownBy(() -> MmConfig.checkProperty("memorySize", "garbage")).hasMessageStartingWith(
                "memorySize=garbage: ");
        assertThatThrownBy(() -> MmConfig.checkProperty("dma32Size", "3M")).hasMessageStartingWith("dma32Size=3M: ");
        assertThatThrownBy(() -> MmConfig.checkProperty("migrationContract", "2030")).hasMessageStartingWith(
                "migrationContract=2030: ");
    }

    @Test
    void anUnknownContentModelOrContractIsRefused() {
        assertThatThrownBy(() -> MmConfig.parse("64M", "3G", "banana", true, true))
                .hasMessageContaining("contentModel=banana").hasMessageContaining("'tag'");
        assertThatThrownBy(() -> MmConfig.parse("64M", "3G", "tag", true, true, "2030"))
                .hasMessageContaining("2030");
    }

    @Test
    void aDma32SizeAboveMemoryIsKeptAsConfiguredButTheZoneSpansOnlyMemory() {
        MmConfig c = MmConfig.parse("64M", "3G", "tag", true, true);

        assertThat(c.dma32Bytes()).isEqualTo(3L << 30);
        assertThat(c.zoneDma32Bytes()).isEqualTo(64L << 20);
        assertThat(new GuestMemory(c).zones()).extracting(Zone::name).containsExactly("DMA32");
    }
}

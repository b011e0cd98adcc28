package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

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

package org.mmlab.mm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Sizes as users type them, in bytes and in 4 KiB pages (the balloons' targets). */
class SizesTest {
    @Test
    void aPageCountIsAPlainNumberOrAWholeNumberOfPagesInBytes() {
        assertThat(Sizes.pages("1G")).isEqualTo(262_144);
        assertThat(Sizes.pages("512M")).isEqualTo(131_072);
        assertThat(Sizes.pages(" 4097 ")).isEqualTo(4097);
        assertThat(Sizes.pages("0")).isZero();
    }

    @Test
    void anythingElseIsRefusedWithWhatIsAllowed() {
        assertThatThrownBy(() -> Sizes.pages("6K")).hasMessage("'6K' is not a whole number of 4 KiB pages");
        assertThatThrownBy(() -> Sizes.pages("12Q")).hasMessage("'12Q' is not a size: give pages (e.g. 262144) or a size"
                + " such as 512M or 1G");
        assertThatThrownBy(() -> Sizes.pages("-1")).hasMessageContaining("is not a size");
        assertThatThrownBy(() -> Sizes.pages("")).hasMessageContaining("is not a size");
        assertThatThrownBy(() -> Sizes.pages("99999999999999999999"))
                .hasMessage("'99999999999999999999' is too large: a size is at most 8388607T");
        assertThatThrownBy(() -> Sizes.pages("99999999T")).hasMessage("'99999999T' is too large: a size is at most 8388607T");
        assertThatThrownBy(() -> Sizes.parseBytes("99999999999999999999K"))
                .hasMessage("'99999999999999999999K' is too large: a size is at most 8388607T");
    }
}

package org.mmlab.mm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** page_type's top byte: each PGTY_* decodes to its type; a mapcount, or 0xff, to none. */
class PageTypeTest {

    @Test
    void everyTypesWordDecodesToItWhateverItsLowBits() {
        for (PageType t : PageType.values()) {
            assertThat(PageType.ofWord(t.word())).isSameAs(t);
            assertThat(PageType.ofWord(t.word() | 0x00ff_ffff)).isSameAs(t);
        }
    }

    @Test
    void aMapcountAnUnderflowAndAnUnusedValueAreNoType() {
        assertThat(PageType.ofWord(0)).isNull();
        assertThat(PageType.ofWord(-1)).as("PGTY_mapcount_underflow").isNull();
        assertThat(PageType.ofWord(0xef << 24)).isNull();
        assertThat(PageType.ofWord(0xf9 << 24)).as("no PGTY_ has 0xf9").isNull();
        assertThat(PageType.ofWord(0xfe << 24)).isNull();
    }
}

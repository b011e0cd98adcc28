package org.mmlab.virtio.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Feature parsing and negotiation: offered AND supported, then virtballoon_validate()'s rules. */
class FeaturesTest {

    @Test
    void negotiationKeepsWhatBothSidesKnowAndClearsPagePoisonWithoutPoisoning() {
        try (TestGuest g = new TestGuest(false)) {
            long offered = Features.parse(Features.DEFAULT_OFFER);
            long negotiated = Features.negotiate(offered, g.mm);

            assertThat(Features.names(negotiated)).containsExactly("MUST_TELL_HOST", "STATS_VQ", "DEFLATE_ON_OOM",
                    "FREE_PAGE_HINT");
        }
    }

    @Test
    void pagePoisonStaysWithPoisoningAndTheDriverWritesPoisonVal() {
        try (TestGuest g = new TestGuest(true)) {
            VirtioBalloonDevice d = g.device("0");

            assertThat(Features.names(d.vdev().features())).contains("PAGE_POISON");
            assertThat(d.vdev().config.readLe32(Uapi.CONFIG_POISON_VAL)).isEqualTo(0xaaaa_aaaaL);
        }
    }

    @Test
    void withoutPagePoisonNegotiatedPoisonValStaysZero() {
        try (TestGuest g = new TestGuest(false)) {
            VirtioBalloonDevice d = g.device("0");

            assertThat(d.vdev().config.readLe32(Uapi.CONFIG_POISON_VAL)).isZero();
        }
    }

    @Test
    void validateClearsReportingWhenPoisoningIsOnButPagePoisonIsNotNegotiated() {
        try (TestGuest g = new TestGuest(true)) {
            long reportingOnly = Features.bit(Uapi.VIRTIO_BALLOON_F_REPORTING);
            long both = reportingOnly | Features.bit(Uapi.VIRTIO_BALLOON_F_PAGE_POISON);

            assertThat(Features.virtballoonValidate(reportingOnly, g.mm)).isZero();
            assertThat(Features.virtballoonValidate(both, g.mm)).isEqualTo(both);
        }
    }

    @Test
    void onlyOfferedFeaturesAreNegotiated() {
        try (TestGuest g = new TestGuest(false)) {
            VirtioBalloonDevice d = g.device("0", "STATS_VQ", "0", 0, "normal", 5_000);

            assertThat(Features.names(d.vdev().features())).containsExactly("STATS_VQ");
            assertThat(d.vdev().vq(VirtioBalloon.VQ_FREE_PAGE)).isNull();
            assertThat(d.host().faultsInOnAccess()).as("no MUST_TELL_HOST: the host faults frames in").isTrue();
        }
    }

    @Test
    void parsingRefusesUnknownNamesAndReportingWithTheReason() {
        assertThat(Features.parse("virtio_balloon_f_must_tell_host, stats_vq")).isEqualTo(0b11);
        assertThat(Features.parse("none")).isZero();
        assertThatThrownBy(() -> Features.parse("MUST_TELL,STATS_VQ")).hasMessageContaining("'MUST_TELL' is not a"
                + " virtio-balloon feature");
        assertThat(Features.parse("REPORTING")).isEqualTo(Features.bit(Uapi.VIRTIO_BALLOON_F_REPORTING));
    }
}

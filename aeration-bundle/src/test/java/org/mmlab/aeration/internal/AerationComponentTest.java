package org.mmlab.aeration.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmlab.aeration.AerationStatus;
import org.mmlab.mm.Errno;
import org.mmlab.mm.Mm;

/** The design in force, the one device, and a change of design, as DS would drive the component. */
class AerationComponentTest {
    private final HintingGuest g = new HintingGuest("256M", "128M");
    private final Map<String, Object> props = new HashMap<>(Map.of("autoRun", false));
    private final AerationComponent c = new AerationComponent(config(), g.core, g.mm, g.mm);
    private final FakeDevice device = new FakeDevice(g.core);

    private AerationComponent.Config config() {
        return (AerationComponent.Config) Proxy.newProxyInstance(AerationComponent.Config.class.getClassLoader(),
                new Class<?>[] {AerationComponent.Config.class},
                (proxy, method, args) -> props.getOrDefault(method.getName(), method.getDefaultValue()));
    }

    private void set(String name, Object value) {
        props.put(name, value);
        c.modified(config());
    }

    @AfterEach
    void close() {
        c.deactivate();
        g.close();
    }

    @Test
    void aDeviceRegisteredWhileHintingIsOffMovesToEachDesignChosen() {
        assertThat(c.register(device)).isZero();
        assertThat(c.status().design()).isEqualTo("off");

        set("design", "reporting");
        AerationStatus s = c.kick(64);
        assertThat(s.device()).isEqualTo("fake device");
        assertThat(s.pagesHinted()).isPositive();
        assertThat(s.state()).isEqualTo("IDLE, work idle");

        set("design", "aerator");
        s = c.kick(64);
        assertThat(s.design()).isEqualTo("aerator");
        assertThat(s.variant()).isEqualTo("v1");
        assertThat(s.state()).isEqualTo("refcnt 0, work idle");
        assertThat(s.zones()).allSatisfy(z -> assertThat(z).contains("order 10:"));
        long[] blocks = g.freeBlocks(Mm.PAGEBLOCK_ORDER, g.core::pageAerated);
        assertThat(blocks[1]).isEqualTo(blocks[0]);
        assertThat(g.dmesg()).contains("aeration: design aerator (v1), fake device registered");
        assertThat(g.check().ok()).isTrue();
    }

    @Test
    void aSecondDeviceIsBusyWhateverTheDesign() {
        c.register(device);
        assertThat(c.register(new FakeDevice(g.core))).isEqualTo(-Errno.EBUSY);
        set("design", "reporting");
        assertThat(c.register(new FakeDevice(g.core))).isEqualTo(-Errno.EBUSY);
        c.unregister(device);
        assertThat(c.register(new FakeDevice(g.core))).isZero();
    }

    @Test
    void aBadConfigurationIsRefusedWholeAndTheRunningDesignStays() {
        set("design", "reporting");
        props.put("design", "aerator");
        set("pageReportingOrder", 11);

        assertThat(c.status().design()).isEqualTo("reporting");
        assertThat(c.refusedConfiguration()).isEqualTo("pageReportingOrder=11: must be 0..10, or -1 for the device's"
                + " order (pageblock_order, 9, by default)");
        assertThat(g.dmesg()).anyMatch(l -> l.contains("aeration: configuration refused: pageReportingOrder=11"));
    }

    @Test
    void pageReportingOrderAppliesAtOnceToTheRunningDesign() {
        set("design", "reporting");
        c.register(device);
        set("pageReportingOrder", Mm.MAX_PAGE_ORDER);

        c.kick(64);

        assertThat(device.calls).allSatisfy(call -> assertThat(call).allSatisfy(b -> assertThat(b[1])
                .isEqualTo(Mm.MAX_PAGE_ORDER)));
        assertThat(c.status().order()).isEqualTo(Mm.MAX_PAGE_ORDER);
    }
}

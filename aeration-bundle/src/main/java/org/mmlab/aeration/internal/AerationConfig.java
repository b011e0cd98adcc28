package org.mmlab.aeration.internal;

import java.util.List;

import org.mmlab.mm.Mm;

/**
 * The configuration of free page hinting (PID org.mmlab.aeration), checked before anything changes: the
 * design, page_reporting_order, whether the delayed work runs by itself, and each design's variant.
 *
 * @param design            off, aerator or reporting
 * @param pageReportingOrder the module parameter: -1 (unset: the device's order, else pageblock_order) or 0..10
 * @param autoRun           false: the work runs only when aerate:kick (or the race lab) runs it
 * @param aerator           v1 (as posted), no-wait (aerator_shutdown() without its wait: race 10) or no-del
 *                          (aerator_del_from_boundary() omitted: race 12)
 * @param reporting         v5.7 (as merged) or no-isolate (reports pages it leaves on the free list: race 11)
 */
record AerationConfig(String design, int pageReportingOrder, boolean autoRun, String aerator, String reporting) {
    static final List<String> DESIGNS = List.of(Off.NAME, Aerator.NAME, PageReporting.NAME);
    static final List<String> AERATOR_VARIANTS = List.of(Aerator.V1, Aerator.NO_WAIT, Aerator.NO_DEL);
    static final List<String> REPORTING_VARIANTS = List.of(PageReporting.V57, PageReporting.NO_ISOLATE);

    /** @throws IllegalArgumentException naming the property, the value and what is allowed */
    static AerationConfig parse(String design, int order, boolean autoRun, String aerator, String reporting) {
        return new AerationConfig(one("design", design, DESIGNS), order(order), autoRun,
                one("aerator", aerator, AERATOR_VARIANTS), one("reporting", reporting, REPORTING_VARIANTS));
    }

    /** page_reporting_order: param_set_uint_minmax(val, kp, 0, MAX_PAGE_ORDER), or -1 for unset. */
    static int order(int order) {
        if (order < -1 || order > Mm.MAX_PAGE_ORDER) {
            throw new IllegalArgumentException("pageReportingOrder=" + order + ": must be 0.." + Mm.MAX_PAGE_ORDER
                    + ", or -1 for the device's order (pageblock_order, " + Mm.PAGEBLOCK_ORDER + ", by default)");
        }
        return order;
    }

    static String one(String property, String value, List<String> allowed) {
        if (value == null || !allowed.contains(value)) {
            throw new IllegalArgumentException(property + "=" + value + ": must be " + String.join(", ", allowed));
        }
        return value;
    }

    /** The variant of the design in force. */
    String variant() {
        return switch (design) {
            case Aerator.NAME -> aerator;
            case PageReporting.NAME -> reporting;
            default -> "-";
        };
    }
}

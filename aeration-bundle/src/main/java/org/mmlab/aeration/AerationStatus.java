package org.mmlab.aeration;

import java.util.List;

/**
 * What aerate:status shows.
 *
 * @param design        off, aerator or reporting
 * @param variant       the design as posted or merged ("v1", "v5.7"), or the race lab's variant of it
 * @param device        the registered hinting device's name, or null
 * @param state         the design's state: the aerator's refcnt and work, page reporting's IDLE/REQUESTED/ACTIVE
 * @param order         the smallest order hinted (page_reporting_order, or AERATOR_MIN_ORDER)
 * @param pagesInFlight pages off the free lists now: the aerator's batch, or a report in flight
 * @param hints         react()/report() calls since the design started
 * @param pagesHinted   pages those calls handed to the host
 * @param hostHeld      frames the host holds as reported free pages (all designs, since boot)
 * @param hostReturned  of those, frames it gave back since boot because the guest touched them again
 * @param passes        runs of the design's work since it started
 * @param zones         one line per zone: its flags and hinted blocks
 */
public record AerationStatus(String design, String variant, String device, String state, int order,
        long pagesInFlight, long hints, long pagesHinted, long hostHeld, long hostReturned, long passes,
        List<String> zones) {
    public AerationStatus {
        zones = List.copyOf(zones);
    }
}

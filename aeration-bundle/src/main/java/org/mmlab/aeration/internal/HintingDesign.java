package org.mmlab.aeration.internal;

import java.util.function.Consumer;

import org.mmlab.mm.hinting.HintingDevice;

/**
 * One free page hinting design as the lab switches between them: its hooks in the free path, the
 * registration of the one hinting device, its delayed work, and what it holds for mm:check. The
 * component never registers a device with a design that is not started, and unregisters it first.
 */
interface HintingDesign {
    /** "off", "aerator" or "reporting". */
    String name();

    /** The design as posted or merged ("v1", "v5.7"), or the race lab's variant of it. */
    String variant();

    /** Installs the design's hooks in the free path. */
    void start();

    /** Removes them; no device is registered any more, and no work is left. */
    void stop();

    /** The design's registration: 0, or a negative errno. */
    int register(HintingDevice device);

    /** The design's unregistration, by its own rules. */
    void unregister(HintingDevice device);

    /** Runs the work now on this thread if it is pending; true if it ran. */
    boolean runPendingWork();

    /** The state aerate:status shows, e.g. "IDLE" or "refcnt 0, work idle". */
    String state();

    /** The smallest order the design hints. */
    int order();

    /** page_reporting_order (aerate:order): the designs that have it take it. */
    void setOrder(int order);

    /** Pages the design has off the free lists now (its batch, a report in flight). */
    long pagesInFlight();

    /** The lab's autoRun: whether the delayed work runs by itself. */
    void setAutoRun(boolean on);

    /** One line per zone for aerate:status (takes the zone locks). */
    void zoneLines(Consumer<String> out);

    /** The design's invariants, for mm:check with the machine stopped. */
    void check(Consumer<String> summary, Consumer<String> problems);
}

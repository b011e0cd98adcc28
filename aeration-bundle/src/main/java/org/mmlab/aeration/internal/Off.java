package org.mmlab.aeration.internal;

import java.util.function.Consumer;

import org.mmlab.mm.hinting.HintingDevice;

/** No hinting design (CONFIG_PAGE_REPORTING and CONFIG_AERATION off): a device registers and nothing happens. */
final class Off implements HintingDesign {
    static final String NAME = "off";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String variant() {
        return "-";
    }

    @Override
    public void start() {
    }

    @Override
    public void stop() {
    }

    @Override
    public int register(HintingDevice device) {
        return 0;
    }

    @Override
    public void unregister(HintingDevice device) {
    }

    @Override
    public boolean runPendingWork() {
        return false;
    }

    @Override
    public String state() {
        return "no hinting";
    }

    @Override
    public int order() {
        return -1;
    }

    @Override
    public void setOrder(int order) {
    }

    @Override
    public long pagesInFlight() {
        return 0;
    }

    @Override
    public void setAutoRun(boolean on) {
    }

    @Override
    public void zoneLines(Consumer<String> out) {
    }

    @Override
    public void check(Consumer<String> summary, Consumer<String> problems) {
        summary.accept("off: no hinting design");
    }
}

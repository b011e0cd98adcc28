package org.mmlab.mm.internal;

import java.util.EnumMap;
import java.util.Map;

import org.mmlab.mm.lab.DebugSwitches;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The running guest's debug checkers and design switches (DebugSwitches). */
@Component(service = DebugSwitches.class)
public class DebugSwitchesComponent implements DebugSwitches {
    private final RunningGuest guests;

    @Activate
    public DebugSwitchesComponent(@Reference RunningGuest guests) {
        this.guests = guests;
    }

    @Override
    public Debug state() {
        GuestMemory g = guests.get().guest();
        MmDebug d = g.debug();
        Map<Switch, Boolean> on = new EnumMap<>(Switch.class);
        for (Switch s : Switch.values()) {
            on.put(s, switch (s) {
                case VM -> d.debugVm();
                case LIST -> d.debugList();
                case UNLOAD -> g.unloadChecker();
                case LOCKDEP -> d.lockdep().on();
                case KASAN -> d.kasan().on();
                case WEAKMEM -> g.weakMemory();
                case RETEST -> d.isolateRetest();
                case UNLESSZERO -> d.isolateUnlessZero();
                case PCP -> g.pcpEnabled();
            });
        }
        return new Debug(on, d.kasan().quarantineSize(), d.kasan().suppressed(), d.reports(), d.taints());
    }

    @Override
    public void set(Switch which, boolean on) {
        GuestMemory g = guests.get().guest();
        MmDebug d = g.debug();
        switch (which) {
            case VM -> d.setDebugVm(on);
            case LIST -> d.setDebugList(on);
            case UNLOAD -> g.setUnloadChecker(on);
            case LOCKDEP -> d.lockdep().setOn(on);
            case KASAN -> d.kasan().setOn(on);
            case WEAKMEM -> g.setWeakMemory(on);
            case RETEST -> d.setIsolateRetest(on);
            case UNLESSZERO -> d.setIsolateUnlessZero(on);
            case PCP -> g.setPcpEnabled(on);
        }
    }

    @Override
    public void setKasanQuarantine(int objects) {
        guests.get().guest().debug().kasan().setQuarantineSize(objects);
    }
}

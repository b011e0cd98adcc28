package org.mmlab.mm.shell;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.mmlab.mm.CommandArgs;
import org.mmlab.mm.lab.DebugSwitches;
import org.mmlab.mm.lab.DebugSwitches.Debug;
import org.mmlab.mm.lab.DebugSwitches.Switch;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * mm:debug: the running guest's debug checkers and the race lab's design switches, shown or switched
 * through the DebugSwitches service. A bad argument throws with what is allowed and changes nothing.
 */
@Component(service = DebugCommand.class)
@GogoCommand(scope = "mm", function = {"debug"})
public class DebugCommand {
    private final DebugSwitches switches;

    @Activate
    public DebugCommand(@Reference DebugSwitches switches) {
        this.switches = switches;
    }

    @Descriptor("show the debug checkers (CONFIG_DEBUG_VM, CONFIG_DEBUG_LIST, use after unload, lockdep, KASAN), the race"
            + " lab's design switches (weak memory, isolation's re-test and reference, the per-cpu page lists) and what the"
            + " checkers reported")
    public void debug() {
        Debug d = switches.state();
        System.out.printf("debugVm    %s%ndebugList  %s%nunload     %s%nlockdep    %s%nkasan      %s (quarantine %d)%n"
                + "weakmem    %s%nretest     %s%nunlesszero %s%npcp        %s%nreports    %d%ntainted    %s%n",
                onOff(d, Switch.VM), onOff(d, Switch.LIST), onOff(d, Switch.UNLOAD), onOff(d, Switch.LOCKDEP),
                onOff(d, Switch.KASAN), d.kasanQuarantine(), onOff(d, Switch.WEAKMEM), onOff(d, Switch.RETEST),
                onOff(d, Switch.UNLESSZERO), onOff(d, Switch.PCP), d.reports(), d.taints().isEmpty() ? "no" : d.taints());
        if (d.kasanSuppressed() > 0) {
            System.out.printf("kasan      %d more reports not printed (only the first of a boot, as without kasan_multi_shot)%n",
                    d.kasanSuppressed());
        }
    }

    private static String onOff(Debug d, Switch s) {
        return d.on(s) ? "on" : "off";
    }

    @Descriptor("switch a debug checker or a design switch on or off in the running guest, or size KASAN's quarantine")
    public void debug(@Descriptor("vm | list | unload (the use-after-unload checker) | lockdep (lock order) | kasan (freed,"
            + " stale or uninitialised mappings) | kasan-quarantine (freed mappings held back from reuse) | weakmem (store"
            + " buffers for page->mapping, drained by barriers) | retest (seed 000 rule iii: isolation re-tests under the"
            + " page lock) | unlesszero (seed 001: isolation's get_page_unless_zero()) | pcp (the per-cpu page lists; off"
            + " is zone_pcp_disable())") String checker,
            @Descriptor("on | off; for kasan-quarantine a number of objects, 0 = reuse at once") String state) {
        if (CommandArgs.given("CHECKER", checker).equals("kasan-quarantine")) {
            switches.setKasanQuarantine(CommandArgs.intNumber("kasan-quarantine", state, 0, Integer.MAX_VALUE));
        } else {
            boolean on = Args.onOff(state);
            switches.set(Switch.parse(checker), on);
        }
        debug();
    }
}

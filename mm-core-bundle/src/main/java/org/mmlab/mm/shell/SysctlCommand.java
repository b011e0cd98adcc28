package org.mmlab.mm.shell;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.mmlab.mm.CommandArgs;
import org.mmlab.mm.admin.Sysctls;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * mm:sysctl: the guest's vm sysctls as sysctl(8) shows and writes them ("vm.NAME = VALUE"), through the
 * Sysctls service. A bad name or value throws with what is allowed and changes nothing.
 */
@Component(service = SysctlCommand.class)
@GogoCommand(scope = "mm", function = {"sysctl"})
public class SysctlCommand {
    private final Sysctls sysctls;

    @Activate
    public SysctlCommand(@Reference Sysctls sysctls) {
        this.sysctls = sysctls;
    }

    @Descriptor("show the guest's vm sysctls (vm.compaction_proactiveness, vm.extfrag_threshold,"
            + " vm.percpu_pagelist_high_fraction); a reboot sets them back to their defaults")
    public void sysctl() {
        sysctls.values().forEach(SysctlCommand::print);
    }

    @Descriptor("show one vm sysctl")
    public void sysctl(@Descriptor("its name, e.g. vm.extfrag_threshold") String name) {
        print(name, sysctls.get(CommandArgs.given("NAME", name)));
    }

    @Descriptor("write one vm sysctl through its handler, as sysctl -w NAME=VALUE does")
    public void sysctl(@Descriptor("its name, e.g. vm.percpu_pagelist_high_fraction") String name,
            @Descriptor("the new value, within what the sysctl allows") String value) {
        sysctls.get(CommandArgs.given("NAME", name)); // an unknown name is refused before its value is read
        // every vm sysctl the lab models is an int from 0 (extra1 = SYSCTL_ZERO); its handler refuses the rest
        sysctls.set(name, CommandArgs.intNumber(name, value, 0, Integer.MAX_VALUE));
        print(name, sysctls.get(name));
    }

    private static void print(String name, int value) {
        System.out.println(name + " = " + value);
    }
}

package org.mmlab.mm.shell;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.mmlab.mm.CommandArgs;
import org.mmlab.mm.Mm;
import org.mmlab.mm.PromiseWait;
import org.mmlab.mm.Sizes;
import org.mmlab.mm.admin.GuestConfig;
import org.mmlab.mm.admin.GuestConfiguration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * mm:config: the guest's configuration (PID org.mmlab.mm) shown, or one property changed through the
 * GuestConfig service, which reboots the guest; the command returns once the rebooted guest runs, so
 * the next command finds it. A bad value is refused and nothing changes.
 */
@Component(service = ConfigCommand.class)
@GogoCommand(scope = "mm", function = {"config"})
public class ConfigCommand {
    /** How long mm:config waits for the rebooted guest. */
    static final long REBOOT_TIMEOUT_MS = 60_000;

    private final GuestConfig config;
    private final long rebootTimeoutMs;

    @Activate
    public ConfigCommand(@Reference GuestConfig config) {
        this(config, REBOOT_TIMEOUT_MS);
    }

    /** With another bound for the reboot (tests). */
    ConfigCommand(GuestConfig config, long rebootTimeoutMs) {
        this.config = config;
        this.rebootTimeoutMs = rebootTimeoutMs;
    }

    @Descriptor("show the guest's configuration (PID org.mmlab.mm), and a configuration that was refused")
    public void config() {
        Optional<GuestConfiguration> running = config.running();
        if (running.isEmpty()) {
            // no guest: what it was to boot with, and why it did not
            GuestConfig.FailedBoot failed = config.failedBoot();
            System.out.println("no guest is running: mm-core did not boot one; the configuration it was given:");
            failed.properties().forEach((name, value) -> System.out.printf("%-12s %s%n", name, value));
            System.out.printf("why: %s%nchange it with mm:config NAME VALUE%n", failed.why());
            return;
        }
        GuestConfiguration c = running.get();
        System.out.printf("memorySize   %s (%d pages)%n", Sizes.format(c.nrPages()), c.nrPages());
        System.out.printf("dma32Size    %s (zone DMA32: %s)%n", Sizes.format(c.dma32Bytes() >> Mm.PAGE_SHIFT),
                Sizes.format(c.zoneDma32Bytes() >> Mm.PAGE_SHIFT));
        System.out.printf("contentModel %s%n", c.contentModel());
        System.out.printf("debugVm      %s%ndebugList    %s%n", c.debugVm(), c.debugList());
        System.out.printf("migrationContract %s (%s)%n", c.migrationContract().value(),
                c.migrationContract().description());
        System.out.printf("pagePoisoning %s%n", c.pagePoisoning());
        System.out.printf("lockdep      %s%n", c.lockdep());
        config.refused().ifPresent(
                why -> System.out.printf("refused      %s: the guest runs on the configuration above%n", why));
    }

    @Descriptor("change one configuration property; the guest reboots with it (a bad value is refused, nothing changes)")
    public void config(@Descriptor("memorySize | dma32Size | contentModel | debugVm | debugList | migrationContract | pagePoisoning | lockdep")
            String name,
            @Descriptor("the new value") String value) throws InterruptedException {
        Object v = switch (CommandArgs.given("NAME", name)) {
            case "debugVm", "debugList", "pagePoisoning", "lockdep" -> Args.onOff(value);
            default -> CommandArgs.given("VALUE", value);
        };
        // a property reset to its default when no guest runs (its boot failed on it) is said after the reboot
        List<String> reset = config.running().isPresent() ? List.of() : config.failedBoot().reset();
        GuestConfiguration booted = PromiseWait.within(config.update(Map.of(name, v)), rebootTimeoutMs,
                "the guest to reboot with " + name + "=" + value);
        for (String r : reset) {
            System.out.printf("%s was not valid: its default was used%n", r);
        }
        System.out.printf("%s=%s: the guest rebooted with %s%n", name, value, Sizes.format(booted.nrPages()));
    }
}

package org.mmlab.virtio.shell;


import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.mmlab.mm.PromiseWait;
import org.mmlab.virtio.VirtioBalloons;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * virtio:driver: the driver module's parameters (PID org.mmlab.virtio.driver), as
 * /sys/module/virtio_balloon/parameters would show them, through the VirtioBalloons service. A bad name
 * or value is refused before anything changes; a good one applies to the running devices without
 * probing them again.
 */
@Component(service = VirtioDriverCommands.class)
@GogoCommand(scope = "virtio", function = {"driver"})
public class VirtioDriverCommands {
    /** How long a change may take to reach the driver (Configuration Admin delivers it asynchronously). */
    static final long APPLY_TIMEOUT_MS = 5_000;

    private final VirtioBalloons virtio;

    @Activate
    public VirtioDriverCommands(@Reference VirtioBalloons virtio) {
        this.virtio = virtio;
    }

    @Descriptor("show the driver module's parameters (PID " + VirtioBalloons.DRIVER_PID + ")")
    public void driver() {
        VirtioBalloons.DriverParameters p = virtio.driver();
        System.out.printf("vbPtr %s (virtballoon_migratepage talks to %s; vb_ptr is %s)%n", p.vbPtr(),
                "global".equals(p.vbPtr()) ? "vb_ptr, the last device probed, as the reviewed v7 patch did"
                        : "the device of the page's b_dev_info, as merged", p.vbPtrDevice());
        p.refused().ifPresent(why -> System.out.printf("refused: %s (the configuration's value; the driver keeps %s)%n",
                why, p.vbPtr()));
    }

    @Descriptor("set a driver module parameter (a bad value is refused, nothing changes)")
    public void driver(@Descriptor("vbPtr") String name,
            @Descriptor("per-device (merged) | global (the v7 patch's vb_ptr)") String value) throws InterruptedException {
        if (!"vbPtr".equals(name)) {
            throw new IllegalArgumentException("no driver parameter '" + name + "': use vbPtr");
        }
        PromiseWait.within(virtio.setVbPtr(value), APPLY_TIMEOUT_MS, "the driver to take vbPtr=" + value);
        driver();
    }
}

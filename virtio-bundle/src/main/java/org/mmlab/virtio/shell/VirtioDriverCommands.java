package org.mmlab.virtio.shell;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.mmlab.virtio.internal.VbPtr;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * virtio:driver: the driver module's parameters (PID org.mmlab.virtio.driver), as
 * /sys/module/virtio_balloon/parameters would show them. A bad name or value is refused before
 * anything changes; a good one applies to the running devices without probing them again.
 */
@Component(service = VirtioDriverCommands.class)
@GogoCommand(scope = "virtio", function = {"driver"})
public class VirtioDriverCommands {
    /** How long a change may take to reach the driver (Configuration Admin delivers it asynchronously). */
    static final long APPLY_TIMEOUT_MS = 5_000;

    @Reference
    private VbPtr vbPtr;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ConfigurationAdmin configAdmin;

    @Descriptor("show the driver module's parameters (PID " + VbPtr.PID + ")")
    public void driver() {
        boolean global = VbPtr.GLOBAL.equals(vbPtr.value());
        System.out.printf("vbPtr %s (virtballoon_migratepage talks to %s; vb_ptr is %s)%n", vbPtr.value(),
                global ? "vb_ptr, the last device probed, as the reviewed v7 patch did"
                        : "the device of the page's b_dev_info, as merged", vbPtr.vbPtrDevice());
        if (vbPtr.refused() != null) {
            System.out.printf("refused: %s (the configuration's value; the driver keeps %s)%n", vbPtr.refused(),
                    vbPtr.value());
        }
    }

    @Descriptor("set a driver module parameter (a bad value is refused, nothing changes)")
    public void driver(@Descriptor("vbPtr") String name,
            @Descriptor("per-device (merged) | global (the v7 patch's vb_ptr)") String value)
            throws IOException, InterruptedException {
        if (!"vbPtr".equals(name)) {
            throw new IllegalArgumentException("no driver parameter '" + name + "': use vbPtr");
        }
        VbPtr.parse(value); // refuses a bad value before anything changes
        ConfigurationAdmin cm = configAdmin;
        if (cm == null) {
            throw new IllegalStateException("no Configuration Admin service: cannot change the driver's parameters");
        }
        Configuration conf = cm.getConfiguration(VbPtr.PID, "?");
        Dictionary<String, Object> props = conf.getProperties() == null ? new Hashtable<>() : conf.getProperties();
        props.put(name, value);
        conf.update(props);
        long deadline = System.currentTimeMillis() + APPLY_TIMEOUT_MS;
        while (!vbPtr.value().equals(value)) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the driver did not take vbPtr=" + value + " within "
                        + APPLY_TIMEOUT_MS / 1000 + " s (see the log: log warn)");
            }
            Thread.sleep(5);
        }
        driver();
    }
}

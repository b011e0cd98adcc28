package org.mmlab.virtio.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.mmlab.mm.MemoryManager;
import org.mmlab.virtio.VirtioBalloons;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.osgi.util.promise.Deferred;
import org.osgi.util.promise.Promise;

/**
 * Models the reviewed v7 patch's module-wide {@code struct virtio_balloon *vb_ptr} (seed 003: "What if
 * there is more than one balloon device?"), set by every probe and used by virtballoon_migratepage()
 * instead of the device the page belongs to; or, by default, the merged design, where the callback
 * finds its device from the page's b_dev_info. One per driver module (configuration PID
 * org.mmlab.virtio.driver, property vbPtr); a new value applies to the next migration.
 */
@Component(service = VbPtr.class, configurationPid = VbPtr.PID)
@Designate(ocd = VbPtr.Config.class)
public class VbPtr {
    public static final String PID = VirtioBalloons.DRIVER_PID;
    public static final String PER_DEVICE = "per-device";
    public static final String GLOBAL = "global";

    @ObjectClassDefinition(name = "mmlab virtio-balloon driver", description = "The driver module's design knobs")
    public @interface Config {
        @AttributeDefinition(description = "Which device virtballoon_migratepage() talks to: 'per-device' (merged:"
                + " the device of the page's b_dev_info) or 'global' (the v7 patch: vb_ptr, the last device probed;"
                + " seed 003, the race lab's race 3)",
                options = {@Option(label = "per-device: the page's device", value = PER_DEVICE),
                    @Option(label = "global: vb_ptr, the last device probed", value = GLOBAL)})
        String vbPtr() default PER_DEVICE;
    }

    private volatile boolean global;
    /** vb_ptr: the last device probed. The v7 patch never cleared it, so it may point to a removed device. */
    private volatile VirtioBalloon vbPtr;
    /** A value the configuration had and this refused, with why; null if none. */
    private volatile String refused;

    /** A promise of the driver running with value. */
    private record Waiter(String value, Deferred<Void> applied) {
    }

    /** Guarded by this. */
    private final List<Waiter> waiting = new ArrayList<>();

    /** Outside the framework (unit tests, benchmarks): the merged design. */
    public VbPtr() {
    }

    /** A bad stored value is refused here too, without failing: the devices need this to probe. */
    @Activate
    public VbPtr(Config config) {
        try {
            modified(config);
        } catch (IllegalArgumentException e) {
            // refused is set: virtio:driver shows it, and the design stays per-device
        }
    }

    /** A bad value is refused with what is allowed; the design in force does not change. */
    @Modified
    void modified(Config config) {
        String v = config.vbPtr();
        try {
            global = parse(v);
            refused = null;
        } catch (IllegalArgumentException e) {
            refused = e.getMessage();
            throw e;
        } finally {
            applied();
        }
    }

    /** The promise that the driver runs with this value, kept when a configuration brings it. */
    synchronized Promise<Void> applied(String value) {
        Deferred<Void> d = new Deferred<>();
        if (value().equals(value)) {
            d.resolve(null);
        } else {
            waiting.add(new Waiter(value, d));
        }
        return d.getPromise();
    }

    private synchronized void applied() {
        for (Iterator<Waiter> i = waiting.iterator(); i.hasNext();) {
            Waiter w = i.next();
            if (value().equals(w.value)) {
                w.applied.resolve(null);
                i.remove();
            }
        }
    }

    /** True for "global", false for "per-device"; anything else is refused with what is allowed. */
    public static boolean parse(String value) {
        if (PER_DEVICE.equals(value)) {
            return false;
        }
        if (GLOBAL.equals(value)) {
            return true;
        }
        throw new IllegalArgumentException("vbPtr=" + value + ": must be " + PER_DEVICE + " or " + GLOBAL);
    }

    /** "per-device" or "global". */
    public String value() {
        return global ? GLOBAL : PER_DEVICE;
    }

    /** The value the configuration had and this refused, with why; null if none. */
    public String refused() {
        return refused;
    }

    /**
     * A guest goes (a reboot): so does the vb_ptr into its devices, as a module's globals do not survive
     * a reboot; and its memmap, which vb_ptr's device reaches, is garbage before the next guest is built.
     */
    void guestGone(MemoryManager mm) {
        VirtioBalloon vb = vbPtr;
        if (vb != null && vb.mm == mm) {
            vbPtr = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "guestGone")
    void guestBooted(MemoryManager mm) {
        // nothing until it goes
    }

    /** The end of virtballoon_probe(): v7's vb_ptr = vb. */
    void probed(VirtioBalloon vb) {
        vbPtr = vb;
    }

    /** The device migration talks to for a page of own's: own (per-device), or vb_ptr (global). */
    VirtioBalloon migrationDevice(VirtioBalloon own) {
        VirtioBalloon vb = vbPtr;
        return global && vb != null ? vb : own;
    }

    /** The device vb_ptr points to now, e.g. "virtio1"; "none" before the first probe. */
    public String vbPtrDevice() {
        VirtioBalloon vb = vbPtr;
        return vb == null ? "none" : vb.vdev.devName + (vb.removed() ? " (removed)" : "");
    }
}

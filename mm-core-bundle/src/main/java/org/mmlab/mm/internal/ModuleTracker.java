package org.mmlab.mm.internal;

import java.util.Collection;
import java.util.Map;

import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.ModulePolicy;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.hooks.bundle.EventHook;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Watches bundles load and unload, synchronously, as the kernel's module loader sees modules: a
 * bundle starting is a module LIVE, stopping is GOING (an event hook, before the driver's exit path;
 * under module-ref and osgi-drain the stop waits there), stopped or uninstalled is GONE.
 */
@Component(service = {ModuleTracker.class, EventHook.class}, immediate = true)
public class ModuleTracker implements SynchronousBundleListener, EventHook {
    /**
     * How long an unload waits for the module's references under module-ref. The kernel's delete_module()
     * refuses a module in use (-EWOULDBLOCK, "rmmod: ERROR: Module ... is in use") and keeps it; a bundle
     * stop cannot be refused, so the lab waits this long, logs rmmod's error, and unloads anyway.
     */
    static final long UNLOAD_WAIT_MS = 10_000;

    final ModuleTable table = new ModuleTable();
    private final BundleContext context;

    @Activate
    public ModuleTracker(BundleContext context) {
        this.context = context;
        table.bundles = context::getBundle;
        context.addBundleListener(this);
    }

    @Deactivate
    void deactivate() {
        context.removeBundleListener(this);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindInjectionPoints(InjectionPoints points, Map<String, Object> props) {
        bind(table, points, props);
    }

    /** The lab's points, with lock points if its service asks for them (InjectionPoints.LOCK_POINTS). */
    static void bind(ModuleTable table, InjectionPoints points, Map<String, Object> props) {
        table.lockPoints = Boolean.TRUE.equals(props.get(InjectionPoints.LOCK_POINTS));
        table.points = points;
    }

    void unbindInjectionPoints(InjectionPoints points) {
        if (table.points == points) {
            table.points = null;
            table.lockPoints = false;
        }
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        switch (event.getType()) {
            case BundleEvent.STARTING:
                table.loading(event.getBundle());
                break;
            case BundleEvent.STOPPED:
                table.gone(event.getBundle(), "stopped");
                table.at(InjectionPoints.MODULE_GONE, -1);
                break;
            case BundleEvent.UNINSTALLED:
                table.gone(event.getBundle(), "uninstalled");
                break;
            default:
                break;
        }
    }

    /**
     * delete_module() sets MODULE_STATE_GOING before the module's exit function runs: the framework
     * calls bundle event hooks before any listener, so this runs before SCR deactivates the driver's
     * components (its remove path). Under module-ref the stop waits here until the module's references
     * (its isolated pages) are gone, for at most UNLOAD_WAIT_MS, then unloads anyway; under osgi-drain
     * until the owner registry shows none of its pages isolated and no call into it is in flight.
     */
    @Override
    public void event(BundleEvent event, Collection<BundleContext> contexts) {
        if (event.getType() != BundleEvent.STOPPING) {
            return;
        }
        table.at(InjectionPoints.MODULE_GOING, -1);
        KernelModule m = table.going(event.getBundle());
        ModulePolicy p = table.policy();
        if (p == ModulePolicy.MODULE_REF) {
            awaitUnused(m);
        } else if (p == ModulePolicy.OSGI_DRAIN && table.drain != null) {
            table.drain.accept(m.bundleId);
        }
    }

    /** delete_module() waiting for module_refcount() to reach 0: references are isolated pages. */
    private void awaitUnused(KernelModule m) {
        if (!ModuleTable.awaitQuiet(() -> m.refcnt.get() > 0 || m.inflight.get() > 0, UNLOAD_WAIT_MS)) {
            String msg = String.format("rmmod: ERROR: Module %s is in use (refcount %d, %d calls in flight) after"
                    + " %d s: unloading anyway", m, m.refcnt.get(), m.inflight.get(), UNLOAD_WAIT_MS / 1000);
            Dmesg log = table.log;
            if (log != null) {
                log.printk(msg);
            }
        }
    }
}

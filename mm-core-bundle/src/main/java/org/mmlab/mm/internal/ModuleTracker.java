package org.mmlab.mm.internal;

import org.mmlab.mm.InjectionPoints;
import org.mmlab.mm.ModulePolicy;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Watches bundles load and unload, synchronously, as the kernel's module loader sees modules: a
 * bundle starting is a module LIVE, stopping is GOING (under module-ref the stop waits here until
 * nothing holds a reference to it), stopped or uninstalled is GONE.
 */
@Component(service = ModuleTracker.class, immediate = true)
public class ModuleTracker implements SynchronousBundleListener {
    /** How long an unload waits for the module's references under module-ref (rmmod --wait, bounded). */
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
    void bindInjectionPoints(InjectionPoints points) {
        table.points = points;
    }

    void unbindInjectionPoints(InjectionPoints points) {
        if (table.points == points) {
            table.points = null;
        }
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        switch (event.getType()) {
            case BundleEvent.STARTING:
                table.loading(event.getBundle());
                break;
            case BundleEvent.STOPPING:
                table.at("module.going", -1);
                KernelModule m = table.going(event.getBundle());
                if (table.policy() == ModulePolicy.MODULE_REF) {
                    awaitUnused(m);
                }
                break;
            case BundleEvent.STOPPED:
                table.gone(event.getBundle(), "stopped");
                table.at("module.gone", -1);
                break;
            case BundleEvent.UNINSTALLED:
                table.gone(event.getBundle(), "uninstalled");
                break;
            default:
                break;
        }
    }

    /** delete_module() waiting for module_refcount() to reach 0: references are isolated pages. */
    private void awaitUnused(KernelModule m) {
        long deadline = System.currentTimeMillis() + UNLOAD_WAIT_MS;
        while (m.refcnt.get() > 0 || m.inflight.get() > 0) {
            if (System.currentTimeMillis() > deadline) {
                String msg = String.format("rmmod: ERROR: Module %s is in use (refcount %d, %d calls in flight) after"
                        + " %d s: unloading anyway", m, m.refcnt.get(), m.inflight.get(), UNLOAD_WAIT_MS / 1000);
                Dmesg log = table.log;
                if (log != null) {
                    log.printk(msg);
                }
                return;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}

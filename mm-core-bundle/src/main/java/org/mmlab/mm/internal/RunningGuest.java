package org.mmlab.mm.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.mmlab.mm.GuestRequired;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.util.promise.Deferred;
import org.osgi.util.promise.Promise;

/**
 * The guest running now, for the admin services (org.mmlab.mm.admin), which follow it across reboots,
 * and the promises of the guest a configuration change boots (not in the kernel: the boot loader's
 * side). One binding for all of them, so that once a change's promise resolved, every service talks to
 * the guest it booted. Holds no guest that is gone: the next one may need the heap.
 */
@Component(service = RunningGuest.class, immediate = true)
public class RunningGuest {
    /** A promise of the guest booted from change {@code change} of PID org.mmlab.mm, or from a later one. */
    private record Waiter(long change, Deferred<MmCore> booted) {
    }

    private volatile MmCore core;
    /** Guarded by this. */
    private final List<Waiter> waiting = new ArrayList<>();

    /** Outside the framework (tests, benchmarks): core runs, and nothing reboots it. */
    public static RunningGuest of(MmCore core) {
        RunningGuest g = new RunningGuest();
        g.bind(core);
        return g;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bind(MmCore booted) {
        core = booted;
        for (Iterator<Waiter> i = waiting.iterator(); i.hasNext();) {
            Waiter w = i.next();
            if (booted.changeCount() >= w.change) {
                w.booted.resolve(booted);
                i.remove();
            }
        }
    }

    synchronized void unbind(MmCore gone) {
        if (core == gone) {
            core = null;
        }
    }

    /** The running guest; a clear error when mm-core did not boot one. */
    MmCore get() {
        return GuestRequired.held(core);
    }

    /** The running guest, or null. */
    MmCore orNull() {
        return core;
    }

    /**
     * The guest booted from change {@code change} of PID org.mmlab.mm (Configuration.getChangeCount()), or
     * from a later change: resolved once it is registered, failed when the configuration gate refuses it.
     */
    synchronized Promise<MmCore> booted(long change) {
        Deferred<MmCore> d = new Deferred<>();
        MmCore c = core;
        if (c != null && c.changeCount() >= change) {
            d.resolve(c);
        } else {
            waiting.add(new Waiter(change, d));
        }
        return d.getPromise();
    }

    /** The gate refused change {@code change}: a promise of it, or of an earlier change, fails with why. */
    synchronized void refused(long change, String why) {
        for (Iterator<Waiter> i = waiting.iterator(); i.hasNext();) {
            Waiter w = i.next();
            if (w.change <= change) {
                w.booted.fail(new IllegalArgumentException(why));
                i.remove();
            }
        }
    }
}

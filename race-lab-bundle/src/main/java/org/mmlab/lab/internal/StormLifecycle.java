package org.mmlab.lab.internal;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.cm.Configuration;

/**
 * Does a storm's operations, as a kernel engineer does them to a module: stop and start, rmmod and
 * insmod (uninstall, install from its bytes), a refresh that lets the old class loader go, an update to
 * the same bytes, and a device's factory configuration deleted and created again. Two operations of a
 * cycle run at once, each on its own thread.
 */
final class StormLifecycle {
    private final LabContext lab;
    private final StormFamilies families;

    StormLifecycle(LabContext lab, StormFamilies families) {
        this.lab = lab;
        this.families = families;
    }

    /**
     * Refuses, in one line, a refresh that would refresh more than driver bundles: a bundle that imports
     * a driver's API (the race lab, which runs the storm, does) is refreshed with it.
     */
    void checkRefreshable() {
        List<String> drivers = families.chosen().stream().map(StormFamilies.Family::bundle).toList();
        List<Bundle> bundles = drivers.stream().map(lab::bundle).toList();
        List<String> others = wiring().getDependencyClosure(bundles).stream().map(Bundle::getSymbolicName)
                .filter(n -> !drivers.contains(n)).sorted().toList();
        if (!others.isEmpty()) {
            throw new IllegalArgumentException("--ops refresh: refreshing " + String.join(", ", drivers)
                    + " would refresh " + String.join(", ", others) + " too (they import its API), the storm's own"
                    + " bundle among them: use stop, uninstall, update or config");
        }
    }

    /** The cycle's operations, at once when there are two; the first failure thrown. */
    void run(List<StormOp> cycle) throws Exception {
        if (cycle.size() == 1) {
            run(cycle.get(0));
            return;
        }
        AtomicReference<Exception> failed = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (StormOp op : cycle) {
            threads.add(new Thread(() -> {
                try {
                    run(op);
                } catch (Exception e) {
                    failed.compareAndSet(null, e);
                }
            }, "storm " + op));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        if (failed.get() != null) {
            throw failed.get();
        }
    }

    void run(StormOp op) throws Exception {
        StormFamilies.Family f = families.family(op.family());
        try {
            switch (op.kind()) {
                case STOP -> {
                    Bundle b = lab.bundle(f.bundle());
                    b.stop();
                    b.start();
                }
                case UNINSTALL -> {
                    lab.bundle(f.bundle()).uninstall();
                    lab.ensureStarted(f.bundle(), f.jar());
                }
                case REFRESH -> {
                    Bundle b = lab.bundle(f.bundle());
                    b.uninstall();
                    refresh(List.of(b));
                    lab.ensureStarted(f.bundle(), f.jar());
                }
                case UPDATE -> {
                    lab.bundle(f.bundle()).update(new ByteArrayInputStream(f.jar()));
                    lab.drainStartLevelQueue();
                }
                case CONFIG -> recreateConfiguration(f.factoryPid());
            }
        } catch (Exception e) {
            throw new IllegalStateException(op + " failed: " + e.getMessage(), e);
        }
    }

    /** Refreshes the bundles and waits until the framework has (its event), or WAIT_MS. */
    private void refresh(Collection<Bundle> bundles) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        wiring().refreshBundles(bundles, e -> {
            if (e.getType() == FrameworkEvent.PACKAGES_REFRESHED || e.getType() == FrameworkEvent.ERROR) {
                done.countDown();
            }
        });
        if (!done.await(LabContext.WAIT_MS, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the refresh did not end within " + LabContext.WAIT_MS / 1000 + " s");
        }
    }

    private FrameworkWiring wiring() {
        return lab.context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
    }

    /**
     * The family's first device configuration (by PID) deleted, so that its device is removed, and created
     * again under the same name with the same properties, so that it is probed again; a family configured as
     * a whole (its PID no factory's) gets its configuration deleted and made again likewise. Configuration
     * Admin's thread does both: the storm goes on meanwhile. A family with no configuration has nothing to do.
     */
    private void recreateConfiguration(String pid) throws Exception {
        Configuration[] cs = lab.cm().listConfigurations("(|(service.factoryPid=" + pid + ")(service.pid=" + pid
                + "))");
        if (cs == null) {
            return;
        }
        Configuration c = Arrays.stream(cs).min(Comparator.comparing(Configuration::getPid)).orElseThrow();
        Dictionary<String, Object> props = c.getProperties();
        Hashtable<String, Object> copy = new Hashtable<>();
        for (Enumeration<String> keys = props.keys(); keys.hasMoreElements();) {
            String k = keys.nextElement();
            if (!k.equals(Constants.SERVICE_PID) && !k.equals("service.factoryPid")
                    && !k.equals("service.bundleLocation")) {
                copy.put(k, props.get(k));
            }
        }
        boolean factory = c.getFactoryPid() != null;
        String name = c.getPid().contains("~") ? c.getPid().substring(c.getPid().indexOf('~') + 1) : "storm";
        c.delete();
        if (factory) {
            lab.cm().getFactoryConfiguration(pid, name, "?").update(copy);
        } else {
            lab.cm().getConfiguration(pid, "?").update(copy);
        }
    }
}

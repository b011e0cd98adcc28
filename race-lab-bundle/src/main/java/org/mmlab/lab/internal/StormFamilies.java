package org.mmlab.lab.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.mmlab.mm.lab.StormTarget;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The driver families of a storm: every {@link StormTarget} service registered now is one (virtio,
 * vmware, hyperv, xen and aeration today; a driver joins by registering its own). What the storm needs
 * while a family's bundle is down (its symbolic name, factory PID and the bytes to install it again from)
 * is kept from the start; its devices and targets are asked of the service registered now, if any.
 */
final class StormFamilies implements AutoCloseable {
    /** What the storm keeps of a family while its bundle may be down. */
    record Family(String name, String bundle, String factoryPid, byte[] jar) {
    }

    private final ServiceTracker<StormTarget, StormTarget> targets;
    private final Map<String, Family> chosen = new LinkedHashMap<>();

    StormFamilies(BundleContext context) {
        targets = new ServiceTracker<>(context, StormTarget.class, null);
        targets.open();
    }

    /** The families registered now, by name. */
    List<String> registered() {
        return new ArrayList<>(live().keySet());
    }

    /**
     * Takes these families into the storm (when empty: every registered one whose unload gives its pages
     * back, see {@link StormTarget#unloadLosesPages()}), with their bundles' bytes; refuses, in one line, a
     * family that is not registered.
     */
    List<String> choose(List<String> names, LabContext lab) throws Exception {
        Map<String, StormTarget> live = live();
        List<String> wanted = names.isEmpty() ? live.entrySet().stream()
                .filter(e -> e.getValue().unloadLosesPages() == null).map(Map.Entry::getKey).toList() : names;
        if (wanted.isEmpty()) {
            throw new IllegalStateException("no driver family runs: a storm needs a driver bundle that registers a"
                    + " StormTarget service (virtio-bundle, vmware-bundle, hyperv-bundle, xen-bundle, aeration-bundle)");
        }
        for (String n : wanted) {
            StormTarget t = live.get(n);
            if (t == null) {
                throw new IllegalArgumentException("no driver family '" + n + "' runs in this lab: the families are "
                        + String.join(", ", live.keySet()) + " (a driver joins by registering a StormTarget service)");
            }
            chosen.put(n, new Family(n, t.bundle(), t.factoryPid(), BundleBytes.of(lab.bundle(t.bundle()))));
        }
        return List.copyOf(wanted);
    }

    Family family(String name) {
        return chosen.get(name);
    }

    List<Family> chosen() {
        return List.copyOf(chosen.values());
    }

    /** The chosen families' services registered now (a family whose bundle is down has none). */
    List<StormTarget> running() {
        List<StormTarget> out = new ArrayList<>();
        live().forEach((n, t) -> {
            if (chosen.containsKey(n)) {
                out.add(t);
            }
        });
        return out;
    }

    private Map<String, StormTarget> live() {
        Map<String, StormTarget> out = new TreeMap<>();
        for (StormTarget t : targets.getTracked().values()) {
            out.put(t.family(), t);
        }
        return out;
    }

    @Override
    public void close() {
        targets.close();
    }
}

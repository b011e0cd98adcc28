package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.OomNotifier;
import org.mmlab.mm.Shrinker;
import org.mmlab.mm.lab.ModuleCall;
import org.mmlab.mm.lab.ModulePolicy;
import org.mmlab.mm.lab.ModuleState;
import org.osgi.framework.Bundle;

/** The use-after-unload checker and the module references, over a driver bundle stood in by a proxy. */
class ModuleCallsTest {
    private static final long DRIVER = 12;

    /** A bundle that answers what the module table asks: its id, name and state. */
    private static Bundle bundle(int[] state) {
        return (Bundle) Proxy.newProxyInstance(Bundle.class.getClassLoader(), new Class<?>[] {Bundle.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getBundleId" -> DRIVER;
                    case "getSymbolicName" -> "virtio-bundle";
                    case "getState" -> state[0];
                    case "hashCode" -> 12;
                    case "equals" -> proxy == args[0];
                    default -> null;
                });
    }

    private static ModuleCalls calls(GuestMemory g, Bundle driver) {
        ModuleTable table = new ModuleTable(c -> c == DriverCallbacks.class ? driver : null);
        table.bundles = id -> id == DRIVER ? driver : null;
        table.log = g.dmesg;
        ModuleCalls calls = new ModuleCalls(table, g);
        g.modules = calls;
        return calls;
    }

    private static String dmesg(GuestMemory g) {
        return String.join("\n", g.dmesg.lines());
    }

    @Test
    void aCallIntoALiveModuleIsNotReportedAndIsCountedInFlight() {
        GuestMemory g = HandBuiltGuest.boot();
        Bundle driver = bundle(new int[] {Bundle.ACTIVE});
        ModuleCalls calls = calls(g, driver);
        KernelModule m = calls.table.module(DRIVER);

        try (ModuleCall c = calls.enter(DRIVER, "a_ops->migratepage", 0x100)) {
            assertThat(m.inflight.get()).isEqualTo(1);
        }
        assertThat(m.inflight.get()).isZero();
        assertThat(g.debug.reports()).isZero();
    }

    @Test
    void theModuleGoingAwayDuringTheCallIsReportedAtReturnWithBothStacks() {
        GuestMemory g = HandBuiltGuest.boot();
        int[] state = {Bundle.ACTIVE};
        Bundle driver = bundle(state);
        ModuleCalls calls = calls(g, driver);

        try (ModuleCall c = calls.enter(DRIVER, "a_ops->migratepage", 0x100)) {
            state[0] = Bundle.RESOLVED;
            calls.table.going(driver);
            calls.table.gone(driver, "stopped");
        }

        String log = dmesg(g);
        assertThat(log).contains("BUG: KASAN: use-after-unload in a_ops->migratepage at return")
                .contains("Call from the kernel into module virtio-bundle [12]").contains("stopped by")
                .contains("The module was unloaded from:").contains("It strands: pfn 0x100");
        assertThat(g.debug.reports()).isEqualTo(1);
    }

    @Test
    void aCallIntoAGoneModuleIsReportedAtEntryAndAtReturnUnlessTheCheckerIsOff() {
        GuestMemory g = HandBuiltGuest.boot();
        Bundle driver = bundle(new int[] {Bundle.RESOLVED});
        ModuleCalls calls = calls(g, driver);
        assertThat(calls.table.module(DRIVER).state).isEqualTo(ModuleState.GONE);

        calls.enabled = false;
        calls.enter(DRIVER, "mops->putback_page", 1).close();
        assertThat(g.debug.reports()).isZero();

        calls.enabled = true;
        calls.enter(DRIVER, "mops->putback_page", 1).close();
        assertThat(dmesg(g)).contains("use-after-unload in mops->putback_page at entry")
                .contains("use-after-unload in mops->putback_page at return");
    }

    @Test
    void underModuleRefAnIsolatedPagePinsTheModuleAndAGoingModuleRefusesIsolation() {
        GuestMemory g = HandBuiltGuest.boot();
        Bundle driver = bundle(new int[] {Bundle.ACTIVE});
        ModuleCalls calls = calls(g, driver);
        calls.table.setPolicy(ModulePolicy.MODULE_REF);
        KernelModule m = calls.table.module(DRIVER);

        assertThat(calls.pinForIsolation(DRIVER, 0x100)).isTrue();
        assertThat(m.refcnt.get()).isEqualTo(1);
        calls.unpinIsolated(0x100);
        assertThat(m.refcnt.get()).isZero();

        calls.table.going(driver);
        assertThat(calls.pinForIsolation(DRIVER, 0x101)).as("try_module_get() of a going module").isFalse();
        assertThat(m.refcnt.get()).isZero();
    }

    @Test
    void underNoneNothingIsPinned() {
        GuestMemory g = HandBuiltGuest.boot();
        ModuleCalls calls = calls(g, bundle(new int[] {Bundle.ACTIVE}));
        calls.table.setPolicy(ModulePolicy.NONE);
        assertThat(calls.pinForIsolation(DRIVER, 0x100)).isTrue();
        assertThat(calls.table.module(DRIVER).refcnt.get()).isZero();
    }

    @Test
    void osgiDrainTakesNoReferenceRefusesAGoingModuleAndWaitsForItsCallsInFlight() throws Exception {
        GuestMemory g = HandBuiltGuest.boot();
        Bundle driver = bundle(new int[] {Bundle.ACTIVE});
        ModuleCalls calls = calls(g, driver);
        calls.table.setPolicy(ModulePolicy.OSGI_DRAIN);
        assertThat(calls.pinForIsolation(DRIVER, 0x100)).isTrue();
        assertThat(calls.table.module(DRIVER).refcnt.get()).as("no per-page reference").isZero();

        ModuleCall inFlight = calls.enter(DRIVER, "a_ops->migratepage", 0x100);
        calls.table.going(driver);
        assertThat(calls.pinForIsolation(DRIVER, 0x101)).as("a going module's pages stay put").isFalse();

        AtomicBoolean returned = new AtomicBoolean();
        Thread unloading = Thread.currentThread();
        Thread compaction = new Thread(() -> {
            while (unloading.getState() != Thread.State.TIMED_WAITING) { // drain() polls: it waits for the call
                Thread.onSpinWait();
            }
            returned.set(true);
            inFlight.close(); // the driver's callback returns
        });
        compaction.setDaemon(true);
        compaction.start();
        calls.drain(DRIVER);
        assertThat(returned).as("drain returned only once the call was back").isTrue();
        compaction.join();
        assertThat(g.debug.reports()).isZero();
    }

    /** A driver's shrinker and OOM notifier (its bundle is the test's stand-in). */
    static final class DriverCallbacks implements Shrinker, OomNotifier {
        @Override
        public long countObjects() {
            return 1;
        }

        @Override
        public long scanObjects(long nrToScan) {
            return 0;
        }

        @Override
        public long oomNotify() {
            return 0;
        }
    }

    @Test
    void shrinkSlabAndTheOomNotifierChainCallIntoADriverThroughTheChecker() {
        GuestMemory g = HandBuiltGuest.boot();
        int[] state = {Bundle.ACTIVE};
        Bundle driver = bundle(state);
        ModuleCalls calls = calls(g, driver);
        DriverCallbacks cb = new DriverCallbacks();
        Shrinkers shrinkers = new Shrinkers();
        shrinkers.register("virtio-balloon", cb);
        OomNotifiers notifiers = new OomNotifiers();
        notifiers.register(cb);
        shrinkers.shrinkSlab(calls);
        notifiers.callChain(calls);
        assertThat(g.debug.reports()).as("calls into a live module").isZero();

        // the driver went without unregistering them (a remove path that forgot to)
        state[0] = Bundle.RESOLVED;
        calls.table.going(driver);
        calls.table.gone(driver, "stopped");
        shrinkers.shrinkSlab(calls);
        notifiers.callChain(calls);

        assertThat(dmesg(g)).contains("BUG: KASAN: use-after-unload in shrinker->count_objects at entry")
                .contains("BUG: KASAN: use-after-unload in shrinker->scan_objects at entry")
                .contains("BUG: KASAN: use-after-unload in nb->notifier_call at entry")
                .contains("Call from the kernel into module virtio-bundle [12]");
    }
}

package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mmlab.hyperv.HvBalloons;
import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.MmLab;
import org.mmlab.virtio.VirtioBalloons;
import org.mmlab.vmware.VmwBalloons;
import org.mmlab.xen.XenBalloons;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * The kernel's calls into a driver module that the drivers' bundles model themselves (the workqueue's
 * process_one_work(), the virtio transport's interrupts, the VMCI doorbell, VMBus, xenwatch) go through
 * the use-after-unload check, as mm-core's and the balloon core's calls do: the check's own injection
 * points ("call.enter:work->func", ...) are reached, on the threads that make those calls, while the four
 * drivers' devices move to a target and back.
 */
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
class DriverCallbacksCheckedTest {
    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = VirtioInFelixTest.WAIT_MS)
    CommandProcessor processor;

    @InjectService(timeout = VirtioInFelixTest.WAIT_MS)
    ConfigurationAdmin cm;

    @InjectService(timeout = VirtioInFelixTest.WAIT_MS)
    MmLab lab;

    @RegisterExtension
    final FreshGuestSetup guest = new FreshGuestSetup();

    /** "POINT by THREAD" of every call.enter point reached. */
    final Set<String> entered = ConcurrentHashMap.newKeySet();
    final List<Configuration> configs = new ArrayList<>();
    GogoSession gogo;
    ServiceRegistration<InjectionPoints> points;

    @BeforeEach
    void everyDriversDeviceZeroWatched() throws Exception {
        AtomicBoolean hooked = new AtomicBoolean();
        points = context.registerService(InjectionPoints.class, (point, pfn) -> {
            if (point.equals(InjectionPoints.START)) {
                hooked.set(true);
            } else if (point.startsWith("call.enter:")) {
                entered.add(point + " by " + Thread.currentThread().getName());
            }
        }, null);
        Await.until("mm-core calling the test's injection points", () -> {
            lab.injectionPoint(InjectionPoints.START, -1);
            return hooked.get();
        });
        gogo = new GogoSession(processor);
        for (String pid : List.of(VirtioBalloons.FACTORY_PID, VmwBalloons.FACTORY_PID, HvBalloons.FACTORY_PID,
                XenBalloons.FACTORY_PID)) {
            Configuration c = cm.getFactoryConfiguration(pid, "0", "?");
            c.update(new Hashtable<>());
            configs.add(c);
        }
        Await.until("every driver's device 0", () -> gogo.run("balloon:list").lines()
                .filter(l -> l.matches("\\d+\\s+(virtio|vmw|hv|xen)-balloon 0\\s.*")).count() == 4);
    }

    @AfterEach
    void deleteTheDevicesAndCheck() throws Exception {
        try {
            for (Configuration c : configs) {
                c.delete();
            }
            Await.until("no device left", () -> gogo.run("balloon:list").contains("no balloon devices"));
            assertThat(guest.check()).isEqualTo("mm:check: OK");
        } finally {
            points.unregister();
            gogo.close();
        }
    }

    @Test
    void workItemsInterruptsDoorbellsChannelsAndWatchesCallTheDriversThroughTheCheck() throws Exception {
        for (String scope : List.of("virtio", "vmw", "hv", "xen")) {
            gogo.run(scope + ":target 0 4M");
            gogo.run(scope + ":target 0 0");
        }

        assertThat(entered).anyMatch(e -> e.startsWith(enter(InjectionPoints.CALL_WORK_FUNC) + " by virtio_balloon "))
                .anyMatch(e -> e.startsWith(enter(InjectionPoints.CALL_WORK_FUNC) + " by vmw_balloon "))
                .anyMatch(e -> e.startsWith(enter(InjectionPoints.CALL_VQ_CALLBACK) + " by "))
                .anyMatch(e -> e.startsWith(enter(InjectionPoints.CALL_CONFIG_CHANGED) + " by "))
                .anyMatch(e -> e.startsWith(enter(InjectionPoints.CALL_DOORBELL_NOTIFY) + " by "))
                .anyMatch(e -> e.startsWith(enter(InjectionPoints.CALL_ONCHANNEL_CALLBACK) + " by hv_balloon "))
                .anyMatch(e -> e.startsWith(enter(InjectionPoints.CALL_WATCH_CALLBACK) + " by xenwatch "));
    }

    private static String enter(String call) {
        return InjectionPoints.callEnter(call);
    }
}

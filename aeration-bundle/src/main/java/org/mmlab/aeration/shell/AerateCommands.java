package org.mmlab.aeration.shell;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.mmlab.aeration.Aeration;
import org.mmlab.aeration.AerationStatus;
import org.mmlab.aeration.internal.AerationComponent;
import org.mmlab.aeration.internal.HintingComparison;
import org.mmlab.mm.CommandArgs;
import org.mmlab.mm.Mm;
import org.mmlab.mm.PromiseWait;
import org.mmlab.mm.admin.GuestConfig;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * aerate: free page hinting in the running guest. The design and page_reporting_order are configuration
 * (PID org.mmlab.aeration), so a change stays across reboots; a bad value is refused before anything
 * changes. aerate:kick runs the pending work now, for scripts and tests.
 */
@Component(service = AerateCommands.class)
@GogoCommand(scope = "aerate", function = {"design", "status", "order", "kick", "compare"})
public class AerateCommands {
    /** How long a change may take to reach the design (a switch waits for the old design's work). */
    static final long APPLY_TIMEOUT_MS = 30_000;
    /** How long a command waits for the running guest's design to be bound (after a reboot). */
    static final long BIND_WAIT_MS = 2_000;
    /** The most passes aerate:kick runs (each rescheduled pass is one). */
    static final int KICK_PASSES = AerationComponent.KICK_PASSES;
    /** aerate:compare's most rounds: 64 MiB allocated a round at most. */
    static final int MAX_ROUNDS = 50;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile AerationComponent aeration;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ConfigurationAdmin configAdmin;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile GuestConfig guestConfig;

    @Descriptor("show the hinting design in force and the designs to choose from")
    public void design() {
        AerationComponent a = running();
        AerationStatus s = a.status();
        System.out.printf("design %s (%s)%n", s.design(), s.variant());
        System.out.println("  off        no free page hinting");
        System.out.println("  aerator    Duyck's 2019 aerator: boundaries at each free list's tail, fill/react/drain"
                + " ([PATCH v1 5/6], mm/aeration.c)");
        System.out.println("  reporting  free page reporting: PageReported, a 2 s delayed pass with a budget"
                + " (mm/page_reporting.c, v5.7 on)");
        if (a.refusedConfiguration() != null) {
            System.out.println("refused: " + a.refusedConfiguration());
        }
    }

    @Descriptor("choose the hinting design (the registered device moves to it)")
    public void design(@Descriptor("off | aerator | reporting") String name) throws IOException, InterruptedException {
        String d = CommandArgs.given("DESIGN", name);
        if (!AerationComponent.DESIGNS.contains(d)) {
            throw new IllegalArgumentException("no hinting design '" + d + "': use off, aerator or reporting");
        }
        configure("design", d, a -> a.status().design().equals(d));
        status();
    }

    @Descriptor("show the design, its state per zone, the batch or report in flight, and what the host holds")
    public void status() {
        System.out.print(text(running().status()));
    }

    @Descriptor("show page_reporting_order, the smallest order hinted")
    public void order() {
        AerationComponent a = running();
        AerationStatus s = a.status();
        if (s.design().equals("off")) {
            int c = a.configuredOrder();
            System.out.printf("page_reporting_order %s (free page hinting is off)%n", c >= 0 ? Integer.toString(c)
                    : "unset: the device's order, else pageblock_order (" + Mm.PAGEBLOCK_ORDER + ")");
            return;
        }
        System.out.printf("page_reporting_order %d%s%n", s.order(), s.design().equals("aerator")
                ? " (the aerator's AERATOR_MIN_ORDER: pageblock_order, a constant of the patch)" : "");
    }

    @Descriptor("set page_reporting_order (the module parameter; it applies at once)")
    public void order(@Descriptor("0 to 10") String order) throws IOException, InterruptedException {
        int o = CommandArgs.intNumber("ORDER", order, 0, Mm.MAX_PAGE_ORDER);
        configure("pageReportingOrder", o, a -> a.configuredOrder() == o);
        order();
    }

    @Descriptor("run the pending hinting work now and wait until it is idle")
    public void kick() {
        AerationComponent a = running();
        long before = a.status().passes();
        AerationStatus s = a.kick(KICK_PASSES);
        System.out.printf("kick: %d passes; %s%n", s.passes() - before, s.state());
        System.out.print(text(s));
    }

    @Descriptor("the same seeded rounds of allocations and frees under off, aerator and reporting, each on a fresh"
            + " guest (the guest reboots five times; the hinting configuration is put back)")
    public void compare(@Descriptor("rounds (1 to 50): each allocates up to 64 MiB and frees half")
            @Parameter(names = {"-r", "--rounds"}, absentValue = "8") String rounds,
            @Descriptor("the workload's seed") @Parameter(names = {"-s", "--seed"}, absentValue = "1") String seed)
            throws Exception {
        int n = CommandArgs.intNumber("ROUNDS", rounds, 1, MAX_ROUNDS);
        long sd = CommandArgs.number("SEED", seed, 0, Long.MAX_VALUE);
        running();
        GuestConfig gc = guestConfig;
        ConfigurationAdmin cm = configAdmin;
        if (gc == null || cm == null) {
            throw new IllegalStateException("aerate:compare reboots the guest: it needs mm-core's GuestConfig and"
                    + " Configuration Admin");
        }
        Configuration conf = cm.getConfiguration(Aeration.PID, "?");
        Dictionary<String, Object> user = conf.getProperties();
        List<HintingComparison.Row> rows = new ArrayList<>();
        try {
            // off twice: the first (not shown) warms the JIT up, which would otherwise bill off for it
            List<String> designs = new ArrayList<>(List.of(AerationComponent.DESIGNS.get(0)));
            designs.addAll(AerationComponent.DESIGNS);
            for (String d : designs) {
                Hashtable<String, Object> props = new Hashtable<>();
                props.put("design", d);
                props.put("autoRun", Boolean.FALSE);
                conf.update(props);
                AerationComponent before = aeration;
                reboot(gc);
                awaitDesign(before, d);
                rows.add(HintingComparison.run(aeration, sd, n));
            }
        } finally {
            if (user == null) {
                conf.delete();
            } else {
                conf.update(user);
            }
            reboot(gc);
        }
        System.out.print(CompareTable.text(rows.subList(1, rows.size()), sd, n));
    }

    /** A fresh guest, its configuration kept (GuestConfig's update reboots). */
    private static void reboot(GuestConfig gc) throws Exception {
        PromiseWait.within(gc.update(Map.of()), APPLY_TIMEOUT_MS, "the guest to reboot");
    }

    /** Waits for the rebooted guest's component, running design d with its device registered (off: any). */
    private void awaitDesign(AerationComponent old, String d) throws InterruptedException {
        long deadline = System.currentTimeMillis() + APPLY_TIMEOUT_MS;
        while (true) {
            AerationComponent a = aeration;
            if (a != null && a != old && a.status().design().equals(d) && (d.equals("off") || a.status().device() != null)) {
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the rebooted guest did not run " + d + " with its hinting device within "
                        + APPLY_TIMEOUT_MS / 1000 + " s (see the log: log warn)");
            }
            Thread.sleep(5);
        }
    }

    /**
     * The design of the running guest. Right after a reboot (mm:config, another command's) SCR binds the new
     * guest's component here on Configuration Admin's thread, maybe after the caller saw the guest: a moment's
     * wait, so that the statement after a reboot does not say hinting is not running.
     */
    private AerationComponent running() {
        long deadline = System.currentTimeMillis() + BIND_WAIT_MS;
        AerationComponent a;
        while ((a = aeration) == null && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the command is being stopped: say what there is now
                break;
            }
        }
        if (a == null) {
            throw new IllegalStateException("free page hinting is not running (aeration-bundle has no guest: see"
                    + " mm:config, or log warn)");
        }
        return a;
    }

    /** Sets one property of PID org.mmlab.aeration and waits until the design took it. */
    private void configure(String name, Object value, Predicate<AerationComponent> applied)
            throws IOException, InterruptedException {
        ConfigurationAdmin cm = configAdmin;
        if (cm == null) {
            throw new IllegalStateException("no Configuration Admin service: cannot change free page hinting");
        }
        Configuration conf = cm.getConfiguration(Aeration.PID, "?");
        Dictionary<String, Object> props = conf.getProperties() == null ? new Hashtable<>() : conf.getProperties();
        props.put(name, value);
        conf.update(props);
        long deadline = System.currentTimeMillis() + APPLY_TIMEOUT_MS;
        while (true) {
            AerationComponent a = aeration;
            if (a != null && applied.test(a)) {
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("free page hinting did not take " + name + "=" + value + " within "
                        + APPLY_TIMEOUT_MS / 1000 + " s (see the log: log warn)");
            }
            Thread.sleep(5);
        }
    }

    /** aerate:status's text. */
    static String text(AerationStatus s) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("design: %s (%s)%n", s.design(), s.variant()));
        sb.append(String.format("device: %s%n", s.device() == null ? "none registered (a virtio-balloon device"
                + " registers when it negotiates REPORTING)" : s.device()));
        sb.append(String.format("state: %s; order %d%n", s.state(), s.order()));
        sb.append(String.format("batch: %d pages off the free lists (the aerator's batch, or a report in flight)%n",
                s.pagesInFlight()));
        s.zones().forEach(z -> sb.append(z).append('\n'));
        sb.append(String.format("since the design started: %d passes, %d calls of the device, %d pages%n", s.passes(),
                s.hints(), s.pagesHinted()));
        sb.append(String.format("hinted: %d pages (%d MiB): the host holds %d pages (%d MiB) and gave back %d (%d MiB)%n",
                s.pagesHinted(), mib(s.pagesHinted()), s.hostHeld(), mib(s.hostHeld()), s.hostReturned(),
                mib(s.hostReturned())));
        return sb.toString();
    }

    private static long mib(long pages) {
        return pages * Mm.PAGE_SIZE >> 20;
    }
}

package org.mmlab.balloon.shell;

import java.util.ArrayList;
import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.balloon.BalloonSettings;
import org.mmlab.balloon.Balloons;
import org.mmlab.mm.GuestRequired;
import org.mmlab.mm.Json;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.NodeStat;
import org.mmlab.mm.VmEvent;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/** balloon:list and balloon:info: the balloon devices of every driver, as mm/balloon.c keeps them. */
@Component(service = BalloonCommands.class)
@GogoCommand(scope = "balloon", function = {"list", "info"})
public class BalloonCommands {
    private final BundleContext context;

    // The running guest's balloon infrastructure, followed across reboots (null while none runs), read once a
    // command: the commands do not go and come back with every guest.
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Balloons balloons;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MemoryManager mm;
    /** The 2012 leak path of the running infrastructure (PID org.mmlab.balloon, leakPath). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile BalloonSettings settings;

    @Activate
    public BalloonCommands(BundleContext context) {
        this.context = context;
    }

    /**
     * What balloon:list prints, as --json gives it.
     *
     * @param contract        the guest's migration contract
     * @param nrBalloonPages  NR_BALLOON_PAGES
     * @param balloonInflate  BALLOON_INFLATE
     * @param balloonDeflate  BALLOON_DEFLATE
     * @param balloonMigrate  BALLOON_MIGRATE
     * @param leakPath        the 2012 leak path; null under the other contracts
     * @param devices         the devices, by their number in the list
     */
    record Listing(String contract, long nrBalloonPages, long balloonInflate, long balloonDeflate, long balloonMigrate,
            String leakPath, List<Device> devices) {}

    /** One device of {@link Listing}: what its line says. */
    record Device(int dev, String name, long pages, long isolatedPages, String driver, boolean mappingOwnedByDriver,
            boolean orphaned) {}

    @Descriptor("list the balloon devices: pages, isolated pages, driver bundle")
    public void list(@Descriptor("print the list as one JSON object")
            @Parameter(names = {"--json"}, presentValue = "true", absentValue = "false") boolean json) {
        Balloons balloons = GuestRequired.held(this.balloons);
        MemoryManager mm = GuestRequired.held(this.mm);
        BalloonSettings settings = GuestRequired.held(this.settings);
        List<BalloonDevInfo> devices = balloons.devices();
        if (json) {
            List<Device> listed = new ArrayList<>();
            for (int i = 0; i < devices.size(); i++) {
                BalloonDevInfo b = devices.get(i);
                listed.add(new Device(i, b.name(), b.nrPages(), b.isolatedPages(), driver(b), b.mappingOwnedByDriver(),
                        b.orphaned()));
            }
            System.out.println(Json.write(new Listing(balloons.contract().value(),
                    mm.nodePageState(NodeStat.NR_BALLOON_PAGES), mm.vmEvents(VmEvent.BALLOON_INFLATE),
                    mm.vmEvents(VmEvent.BALLOON_DEFLATE), mm.vmEvents(VmEvent.BALLOON_MIGRATE),
                    balloons.contract() == MigrationContract.BALLOON_2012 ? settings.leakPath() : null, listed)));
            return;
        }
        System.out.printf("contract %s, nr_balloon_pages %d, balloon_inflate %d, balloon_deflate %d,"
                + " balloon_migrate %d%n", balloons.contract().value(), mm.nodePageState(NodeStat.NR_BALLOON_PAGES),
                mm.vmEvents(VmEvent.BALLOON_INFLATE), mm.vmEvents(VmEvent.BALLOON_DEFLATE),
                mm.vmEvents(VmEvent.BALLOON_MIGRATE));
        if (balloons.contract() == MigrationContract.BALLOON_2012) {
            System.out.printf("leak path %s%n", settings.leakPath());
        }
        if (devices.isEmpty()) {
            System.out.println("no balloon devices");
            return;
        }
        System.out.printf("%-4s %-24s %10s %9s  %s%n", "DEV", "NAME", "PAGES", "ISOLATED", "DRIVER");
        for (int i = 0; i < devices.size(); i++) {
            BalloonDevInfo b = devices.get(i);
            System.out.printf("%-4d %-24s %10d %9d  %s%s%s%n", i, b.name(), b.nrPages(), b.isolatedPages(), driver(b),
                    b.mappingOwnedByDriver() ? " (mapping: the driver's own, v7)" : "",
                    b.orphaned() ? " (orphaned: its driver stopped without removing it)" : "");
        }
    }

    @Descriptor("show one balloon device")
    public void info(@Descriptor("the device: its number in balloon:list, or its name") String dev) {
        Balloons balloons = GuestRequired.held(this.balloons);
        BalloonDevInfo b = find(balloons, dev);
        long total = b.nrPages() + b.isolatedPages();
        System.out.printf("name                     %s%n", b.name());
        System.out.printf("driver                   %s%n", driver(b));
        System.out.printf("pages                    %d (%d KiB)%n", total, total * 4);
        System.out.printf("  on b_dev_info->pages   %d%n", b.nrPages());
        System.out.printf("  isolated_pages         %d%n", b.isolatedPages());
        System.out.printf("adjust_managed_page_count %s%n", b.adjustManagedPageCount());
        if (balloons.contract() == MigrationContract.BALLOON_2012) {
            System.out.printf("mapping                  %s%n", b.mappingOwnedByDriver()
                    ? "the driver's own balloon_mapping (the reviewed v7 patch)" : "balloon_mapping_alloc()'s, per device");
        }
        System.out.printf("contract                 %s (%s)%n", balloons.contract().value(),
                balloons.contract().description());
    }

    private static BalloonDevInfo find(Balloons balloons, String dev) {
        List<BalloonDevInfo> devices = balloons.devices();
        for (BalloonDevInfo b : devices) {
            if (b.name().equals(dev)) {
                return b;
            }
        }
        if (dev != null && dev.matches("[0-9]{1,9}")) { // ASCII only: Integer.parseInt takes any script's digits
            int i = Integer.parseInt(dev);
            if (i < devices.size()) {
                return devices.get(i);
            }
        }
        throw new IllegalArgumentException("no balloon device '" + dev + "': "
                + (devices.isEmpty() ? "there are none" : "see balloon:list (0.." + (devices.size() - 1) + " or a name)"));
    }

    private String driver(BalloonDevInfo b) {
        Bundle bundle = context.getBundle(b.bundleId());
        return bundle == null ? "bundle " + b.bundleId() + " (uninstalled)"
                : bundle.getSymbolicName() + " [" + b.bundleId() + "]";
    }
}

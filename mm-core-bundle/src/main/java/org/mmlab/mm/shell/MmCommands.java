package org.mmlab.mm.shell;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.mmlab.mm.CommandArgs;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.Mm;
import org.mmlab.mm.Sizes;
import org.mmlab.mm.internal.Buddyinfo;
import org.mmlab.mm.internal.ConfigGate;
import org.mmlab.mm.internal.ExtfragIndex;
import org.mmlab.mm.internal.GuestMemory;
import org.mmlab.mm.internal.Kasan;
import org.mmlab.mm.internal.Kpageflags;
import org.mmlab.mm.internal.Meminfo;
import org.mmlab.mm.internal.MmCheck;
import org.mmlab.mm.internal.MmConfig;
import org.mmlab.mm.internal.MmCore;
import org.mmlab.mm.internal.MmDebug;
import org.mmlab.mm.internal.PageUse;
import org.mmlab.mm.internal.Pagetypeinfo;
import org.mmlab.mm.internal.VmcoreWriter;
import org.mmlab.mm.internal.VmstatView;
import org.mmlab.mm.internal.Workload;
import org.mmlab.mm.internal.WorkloadSettings;
import org.mmlab.mm.internal.Zone;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The mm: commands. Each prints what it shows; a bad argument throws with what is allowed and changes
 * nothing. The guest is bound dynamically, so the commands stay while mm:config reboots it.
 */
@Component(service = MmCommands.class)
@GogoCommand(scope = "mm", function = {"meminfo", "buddyinfo", "pagetypeinfo", "vmstat", "extfrag", "page", "kpageflags",
    "vmcore", "workload", "check", "dmesg", "alloc", "free", "config", "debug"})
public class MmCommands {
    /** How long mm:config waits for the rebooted guest. */
    static final long REBOOT_TIMEOUT_MS = 60_000;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MmCore core;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ConfigurationAdmin configAdmin;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ConfigGate gate;

    /** What mm:alloc handed out: all that mm:free may free. */
    private final ShellAllocations allocations = new ShellAllocations();

    private MmCore core() {
        return Args.running(core);
    }

    @Descriptor("show /proc/meminfo")
    public void meminfo() {
        GuestMemory guest = core().guest();
        System.out.print(Meminfo.show(guest));
    }

    @Descriptor("show /proc/buddyinfo: free blocks per order in each zone")
    public void buddyinfo() {
        GuestMemory guest = core().guest();
        System.out.print(Buddyinfo.show(guest));
    }

    @Descriptor("show /proc/pagetypeinfo: free blocks per order and migratetype, pageblocks per migratetype")
    public void pagetypeinfo() {
        GuestMemory guest = core().guest();
        System.out.print(Pagetypeinfo.show(guest));
    }

    @Descriptor("show /proc/vmstat")
    public void vmstat() {
        GuestMemory guest = core().guest();
        System.out.print(VmstatView.show(guest));
    }

    @Descriptor("show debugfs extfrag/extfrag_index and extfrag/unusable_index")
    public void extfrag() {
        GuestMemory guest = core().guest();
        System.out.println("# /sys/kernel/debug/extfrag/extfrag_index");
        System.out.print(ExtfragIndex.extfragIndex(guest));
        System.out.println("# /sys/kernel/debug/extfrag/unusable_index");
        System.out.print(ExtfragIndex.unusableIndex(guest));
    }

    @Descriptor("dump a page's struct page, as dump_page() prints it")
    public void page(@Descriptor("the PFN, decimal or 0x-hex") String pfn) {
        GuestMemory guest = core().guest();
        int p = Args.pfn(pfn, guest.nrPages());
        Zone z = guest.allocator().zoneOf(p);
        System.out.println(guest.dumpPage(p, "mm:page"));
        System.out.printf("zone: %s  pageblock: %s  content: %016x%n", z.name(),
                guest.pageblockMigratetype(p).kernelName(), guest.content().read(p));
    }

    @Descriptor("write a /proc/kpageflags snapshot (one little-endian u64 per PFN) for page-types -F FILE; a file"
            + " that exists is replaced only with --force")
    public void kpageflags(@Descriptor("replace the file if it exists")
            @Parameter(names = {"-f", "--force"}, presentValue = "true", absentValue = "false") boolean force,
            @Descriptor("the file to write") String file) throws IOException {
        GuestMemory guest = core().guest();
        Path path = Args.newFile(file);
        long pages;
        try {
            pages = Kpageflags.write(guest, path, force);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalArgumentException(path + " exists: give --force to replace it, or another file");
        }
        System.out.printf("wrote %d pages (%d bytes) to %s; read it with: page-types -F %s%n", pages, pages * 8, path, path);
    }

    @Descriptor("write the guest as a kdump vmcore (ELF64, VMCOREINFO, struct pages as the kernel's) that makedumpfile"
            + " reads; PageOffline pages are not read (seed 004) unless --naive; a file that exists is replaced only"
            + " with --force")
    public void vmcore(@Descriptor("read every page, PageOffline ones too, as dump tools did before 2019")
            @Parameter(names = {"-n", "--naive"}, presentValue = "true", absentValue = "false") boolean naive,
            @Descriptor("replace the file if it exists")
            @Parameter(names = {"-f", "--force"}, presentValue = "true", absentValue = "false") boolean force,
            @Descriptor("the file to write") String file) throws IOException {
        GuestMemory guest = core().guest();
        Path path = Args.newFile(file);
        VmcoreWriter.Result r;
        try {
            r = VmcoreWriter.write(guest, path, naive, force);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalArgumentException(path + " exists: give --force to replace it, or another file");
        }
        System.out.printf("wrote %s: %d bytes, an ELF64 kdump vmcore of %d pages (%s)%n", path, r.bytes(), r.ramPages(),
                Sizes.format(r.ramPages()));
        System.out.printf("read %d pages, left %d PageOffline pages unread%s; hosts backed %d frames again for it%s%n",
                r.pagesRead(), r.offlineSkipped(), naive ? " (--naive: every page read)" : "", r.backed(),
                r.backedByHost().isEmpty() ? "" : ": " + r.backedByHost().toString().replaceAll("[{}]", ""));
        System.out.printf("filter it with: makedumpfile --message-level 31 -d 31 %s OUT%n", path);
    }

    @Descriptor("run simulated user processes: start, stop or status; or fragment memory as a long-running guest's"
            + " is (fragment: many free pages, few free 2 MiB blocks; its processes stay, prepared but not running,"
            + " until stop; start refuses a fragmented workload)")
    public void workload(
            @Descriptor("seed of the random mix") @Parameter(names = {"-s", "--seed"}, absentValue = "1") String seed,
            @Descriptor("number of processes") @Parameter(names = {"-p", "--processes"}, absentValue = "64")
            String processes,
            @Descriptor("pages each process maps at most (start)") @Parameter(names = {"-n", "--pages"},
                    absentValue = "8192") String pages,
            @Descriptor("worker threads (start)") @Parameter(names = {"-t", "--threads"}, absentValue = "2")
            String threads,
            @Descriptor("fragment until fewer than this percentage of free pages sit in free blocks of order >= 9")
            @Parameter(names = {"--target"}, absentValue = "5") String target,
            @Descriptor("start | stop | status | fragment") String action) {
        long s = CommandArgs.number("--seed", seed, Long.MIN_VALUE, Long.MAX_VALUE);
        int p = CommandArgs.intNumber("--processes", processes, 1, WorkloadSettings.MAX_PROCESSES);
        int n = CommandArgs.intNumber("--pages", pages, 1, WorkloadSettings.MAX_PAGES_PER_PROCESS);
        int t = CommandArgs.intNumber("--threads", threads, 1, WorkloadSettings.MAX_THREADS);
        double percent = Args.percent("--target", target);
        MmCore core = core();
        Workload w = core.workload();
        switch (CommandArgs.given("ACTION", action)) {
            case "start":
                w.start(s, p, n, t);
                System.out.println(w.status());
                break;
            case "fragment":
                System.out.print(w.fragment(s, p, percent).describe());
                break;
            case "stop":
                w.stop();
                System.out.println(w.status());
                break;
            case "status":
                System.out.println(w.status());
                break;
            default:
                throw new IllegalArgumentException("'" + action + "' is not a workload action: use start, stop, status"
                        + " or fragment");
        }
    }

    @Descriptor("verify every invariant of the whole memory; the last line is 'mm:check: OK' or 'mm:check: FAIL <what>'")
    public void check() {
        MmCore core = core();
        GuestMemory guest = core.guest();
        MmCheck.CheckResult r = MmCheck.run(guest, core.workload());
        r.lines().forEach(System.out::println);
        if (!r.ok()) {
            throw new IllegalStateException(r.lines().get(r.lines().size() - 1));
        }
    }

    @Descriptor("show the kernel log")
    public void dmesg(@Descriptor("clear the ring after printing, like dmesg -c")
            @Parameter(names = {"-c", "--clear"}, presentValue = "true", absentValue = "false") boolean clear) {
        GuestMemory guest = core().guest();
        List<String> lines = guest.dmesg().lines();
        lines.forEach(System.out::println);
        if (clear) {
            guest.dmesg().clear();
        }
    }

    @Descriptor("allocate 2^ORDER pages with alloc_pages(); prints the PFN (free it with mm:free PFN ORDER)")
    public void alloc(@Descriptor("order 0..10") String order) {
        alloc(order, "GFP_KERNEL");
    }

    @Descriptor("allocate 2^ORDER pages with alloc_pages(GFP, ORDER); prints the PFN (free it with mm:free PFN ORDER)")
    public void alloc(@Descriptor("order 0..10") String order,
            @Descriptor("GFP mask: flag names joined by ',' (GFP_KERNEL, GFP_HIGHUSER_MOVABLE,__GFP_COMP, ...) or 0x-hex")
            String gfp) {
        GuestMemory guest = core().guest();
        int o = Args.order(order);
        int mask = Gfp.parse(gfp);
        int pfn = guest.allocPages(mask, o);
        if (pfn == Mm.NO_PAGE) {
            throw new IllegalStateException(String.format("page allocation failure: order:%d, mode:%#x(%s) (see mm:dmesg)",
                    o, mask, Gfp.format(mask)));
        }
        allocations.allocated(guest, pfn, o);
        System.out.printf("pfn %#x order %d (%d pages, zone %s, %s)%n", pfn, o, 1 << o,
                guest.allocator().zoneOf(pfn).name(), guest.pageblockMigratetype(pfn).kernelName());
    }

    @Descriptor("free 2^ORDER pages at PFN that mm:alloc returned (__free_pages); any other page is refused, with"
            + " whose it is")
    public void free(@Descriptor("the PFN mm:alloc printed") String pfn, @Descriptor("the order it was allocated with")
            String order) {
        GuestMemory guest = core().guest();
        int p = Args.pfn(pfn, guest.nrPages());
        int o = Args.order(order);
        if (!allocations.take(guest, p, o)) {
            ShellAllocations.Block b = allocations.containing(guest, p);
            if (b != null) {
                throw new IllegalArgumentException(String.format("pfn %#x is %s the order-%d block mm:alloc gave at"
                        + " pfn %#x: free it with mm:free %#x %d", p, b.pfn() == p ? "the start of" : "inside", b.order(),
                        b.pfn(), b.pfn(), b.order()));
            }
            String use = guest.stopMachine(() -> PageUse.describe(guest, p));
            throw new IllegalArgumentException(String.format("pfn %#x is not mm:alloc's to free: it is %s (mm:free"
                    + " frees only what mm:alloc handed out)", p, use));
        }
        guest.freePages(p, o);
        System.out.printf("freed pfn %#x order %d%n", p, o);
    }

    @Descriptor("show the guest's configuration (PID org.mmlab.mm), and a configuration that was refused")
    public void config() throws IOException {
        MmCore running = core;
        ConfigGate g = gate;
        if (running == null) {
            // no guest: what it was to boot with, and why it did not
            System.out.println("no guest is running: mm-core did not boot one; the configuration it was given:");
            List<String> reset = new ArrayList<>();
            Map<String, Object> props = g == null ? Map.of() : g.lastPassedOn(reset);
            props.forEach((name, value) -> System.out.printf("%-12s %s%n", name, value));
            String why = reset.isEmpty() ? "see the log" : "not valid: " + String.join(", ", reset)
                    + " (shown above with its default, which mm:config NAME VALUE uses)";
            try {
                MmConfig.parse(props);
            } catch (IllegalArgumentException e) {
                why = e.getMessage();
            }
            System.out.printf("why: %s%nchange it with mm:config NAME VALUE%n", why);
            return;
        }
        GuestMemory guest = running.guest();
        MmConfig c = guest.config();
        System.out.printf("memorySize   %s (%d pages)%n", Sizes.format(c.nrPages()), c.nrPages());
        System.out.printf("dma32Size    %s (zone DMA32: %s)%n", Sizes.format(c.dma32Bytes() >> Mm.PAGE_SHIFT),
                Sizes.format(c.zoneDma32Bytes() >> Mm.PAGE_SHIFT));
        System.out.printf("contentModel %s%n", guest.content().name());
        System.out.printf("debugVm      %s%ndebugList    %s%n", c.debugVm(), c.debugList());
        System.out.printf("migrationContract %s (%s)%n", c.migrationContract().value(),
                c.migrationContract().description());
        System.out.printf("pagePoisoning %s%n", c.pagePoisoning());
        System.out.printf("lockdep      %s%n", c.lockdep());
        String refused = g == null ? null : g.refused();
        if (refused != null) {
            System.out.printf("refused      %s: the guest runs on the configuration above%n", refused);
        }
    }

    @Descriptor("change one configuration property; the guest reboots with it (a bad value is refused, nothing changes)")
    public void config(@Descriptor("memorySize | dma32Size | contentModel | debugVm | debugList | migrationContract | pagePoisoning | lockdep")
            String name,
            @Descriptor("the new value") String value) throws IOException {
        ConfigurationAdmin cm = configAdmin;
        ConfigGate g = gate;
        if (cm == null || g == null) {
            throw new IllegalStateException((cm == null ? "no Configuration Admin service" : "mm-core's configuration"
                    + " gate is not running (see the log)") + ": cannot change the configuration");
        }
        // weakly: the old guest's memmap must be garbage by the time the new one is built
        WeakReference<MmCore> old = new WeakReference<>(core);
        List<String> reset = new ArrayList<>();
        Map<String, Object> next = configuration(old.get(), g, reset);
        switch (CommandArgs.given("NAME", name)) {
            case "memorySize":
            case "dma32Size":
            case "contentModel":
            case "migrationContract":
                next.put(name, CommandArgs.given("VALUE", value));
                break;
            case "debugVm":
            case "debugList":
            case "pagePoisoning":
            case "lockdep":
                next.put(name, Args.onOff(value));
                break;
            default:
                throw new IllegalArgumentException("no property '" + name + "': use memorySize, dma32Size,"
                        + " contentModel, debugVm, debugList, migrationContract, pagePoisoning or lockdep");
        }
        MmConfig.parse(next); // refuses a bad value before anything changes
        Configuration conf = cm.getConfiguration(MmCore.PID, "?");
        Dictionary<String, Object> props = conf.getProperties() == null ? new Hashtable<>() : conf.getProperties();
        next.forEach(props::put);
        long refusals = g.refusals();
        conf.update(props);
        awaitReboot(old, g, refusals);
        for (String r : reset) {
            System.out.printf("%s was not valid: its default was used%n", r);
        }
        System.out.printf("%s=%s: the guest rebooted with %s%n", name, value, Sizes.format(core().guest().nrPages()));
    }

    /** The running guest's configuration, or with none the one it was to boot with, bad properties reset. */
    private static Map<String, Object> configuration(MmCore running, ConfigGate g, List<String> reset)
            throws IOException {
        return running != null ? running.guest().config().properties() : g.lastPassedOn(reset);
    }

    /**
     * Configuration Admin delivers the update asynchronously, through ConfigGate: wait until the new guest
     * is bound, or the gate refused the configuration after all.
     */
    private void awaitReboot(WeakReference<MmCore> old, ConfigGate g, long refusals) {
        long deadline = System.currentTimeMillis() + REBOOT_TIMEOUT_MS;
        for (MmCore now = core; now == null || now == old.get(); now = core) {
            if (g.refusals() != refusals) {
                throw new IllegalArgumentException(g.refused());
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the guest did not reboot within " + REBOOT_TIMEOUT_MS / 1000
                        + " s (see the log: log warn)");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the guest reboots", e);
            }
        }
    }

    @Descriptor("show the debug checkers (CONFIG_DEBUG_VM, CONFIG_DEBUG_LIST, use after unload, lockdep, KASAN), the race"
            + " lab's design switches (weak memory, isolation's re-test and reference) and what the checkers reported")
    public void debug() {
        GuestMemory guest = core().guest();
        MmDebug d = guest.debug();
        Kasan kasan = d.kasan();
        System.out.printf("debugVm    %s%ndebugList  %s%nunload     %s%nlockdep    %s%nkasan      %s (quarantine %d)%n"
                + "weakmem    %s%nretest     %s%nunlesszero %s%nreports    %d%ntainted    %s%n", onOff(d.debugVm()),
                onOff(d.debugList()), onOff(guest.unloadChecker()), onOff(d.lockdep().on()), onOff(kasan.on()),
                kasan.quarantineSize(), onOff(guest.weakMemory()), onOff(d.isolateRetest()),
                onOff(d.isolateUnlessZero()), d.reports(), d.taints().isEmpty() ? "no" : d.taints());
        if (kasan.suppressed() > 0) {
            System.out.printf("kasan      %d more reports not printed (only the first of a boot, as without kasan_multi_shot)%n",
                    kasan.suppressed());
        }
    }

    private static String onOff(boolean on) {
        return on ? "on" : "off";
    }

    @Descriptor("switch a debug checker or a design switch on or off in the running guest, or size KASAN's quarantine")
    public void debug(@Descriptor("vm | list | unload (the use-after-unload checker) | lockdep (lock order) | kasan (freed,"
            + " stale or uninitialised mappings) | kasan-quarantine (freed mappings held back from reuse) | weakmem (store"
            + " buffers for page->mapping, drained by barriers) | retest (seed 000 rule iii: isolation re-tests under the"
            + " page lock) | unlesszero (seed 001: isolation's get_page_unless_zero())") String checker,
            @Descriptor("on | off; for kasan-quarantine a number of objects, 0 = reuse at once") String state) {
        GuestMemory guest = core().guest();
        if (CommandArgs.given("CHECKER", checker).equals("kasan-quarantine")) {
            guest.debug().kasan().setQuarantineSize(CommandArgs.intNumber("kasan-quarantine", state, 0,
                    Integer.MAX_VALUE));
            debug();
            return;
        }
        boolean on = Args.onOff(state);
        switch (checker) {
            case "vm": guest.debug().setDebugVm(on); break;
            case "list": guest.debug().setDebugList(on); break;
            case "unload": guest.setUnloadChecker(on); break;
            case "lockdep": guest.debug().lockdep().setOn(on); break;
            case "kasan": guest.debug().kasan().setOn(on); break;
            case "weakmem": guest.setWeakMemory(on); break;
            case "retest": guest.debug().setIsolateRetest(on); break;
            case "unlesszero": guest.debug().setIsolateUnlessZero(on); break;
            default: throw new IllegalArgumentException("no checker '" + checker
                    + "': use vm, list, unload, lockdep, kasan, kasan-quarantine, weakmem, retest or unlesszero");
        }
        debug();
    }
}

package org.mmlab.mm.shell;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.mmlab.mm.CommandArgs;
import org.mmlab.mm.Json;
import org.mmlab.mm.Sizes;
import org.mmlab.mm.admin.CheckResult;
import org.mmlab.mm.admin.GuestCheck;
import org.mmlab.mm.admin.GuestPages;
import org.mmlab.mm.admin.GuestViews;
import org.mmlab.mm.admin.GuestViews.View;
import org.mmlab.mm.admin.WorkloadControl;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The mm: commands that show the guest, run its workload and check it, over the admin services (which
 * follow the running guest, so the commands stay while mm:config reboots it). Each prints what it
 * shows; a bad argument throws with what is allowed and changes nothing.
 */
@Component(service = MmCommands.class)
@GogoCommand(scope = "mm", function = {"meminfo", "buddyinfo", "pagetypeinfo", "zoneinfo", "vmstat", "extfrag", "page", "kpageflags",
    "vmcore", "workload", "check", "dmesg"})
public class MmCommands {
    private final GuestViews views;
    private final GuestPages pages;
    private final WorkloadControl workload;
    private final GuestCheck checker;

    @Activate
    public MmCommands(@Reference GuestViews views, @Reference GuestPages pages, @Reference WorkloadControl workload,
            @Reference GuestCheck checker) {
        this.views = views;
        this.pages = pages;
        this.workload = workload;
        this.checker = checker;
    }

    @Descriptor("show /proc/meminfo")
    public void meminfo(@Descriptor("print it as one JSON object: each line's label and value (kB but the HugePages_"
            + " counts)") @Parameter(names = {"--json"}, presentValue = "true", absentValue = "false") boolean json) {
        System.out.print(json ? Json.write(views.meminfo()) + "\n" : views.show(View.MEMINFO));
    }

    @Descriptor("show /proc/buddyinfo: free blocks per order in each zone")
    public void buddyinfo() {
        System.out.print(views.show(View.BUDDYINFO));
    }

    @Descriptor("show /proc/zoneinfo: each zone's free pages, watermarks, reserves, counters and per-cpu pagesets")
    public void zoneinfo() {
        System.out.print(views.show(View.ZONEINFO));
    }

    @Descriptor("show /proc/pagetypeinfo: free blocks per order and migratetype, pageblocks per migratetype")
    public void pagetypeinfo() {
        System.out.print(views.show(View.PAGETYPEINFO));
    }

    @Descriptor("show /proc/vmstat")
    public void vmstat(@Descriptor("print it as one JSON object: each counter by its name")
            @Parameter(names = {"--json"}, presentValue = "true", absentValue = "false") boolean json) {
        String text = views.show(View.VMSTAT);
        System.out.print(json ? Json.write(counters(text)) + "\n" : text);
    }

    /** /proc/vmstat's lines, "name value", as a map in their order. */
    static Map<String, Long> counters(String vmstat) {
        Map<String, Long> counters = new LinkedHashMap<>();
        vmstat.lines().map(l -> l.split(" ")).forEach(f -> counters.put(f[0], Long.parseLong(f[1])));
        return counters;
    }

    @Descriptor("show debugfs extfrag/extfrag_index and extfrag/unusable_index")
    public void extfrag() {
        String extfrag = views.show(View.EXTFRAG_INDEX);
        String unusable = views.show(View.UNUSABLE_INDEX);
        System.out.println("# " + View.EXTFRAG_INDEX.path());
        System.out.print(extfrag);
        System.out.println("# " + View.UNUSABLE_INDEX.path());
        System.out.print(unusable);
    }

    @Descriptor("dump a page's struct page, as dump_page() prints it")
    public void page(@Descriptor("the PFN, decimal or 0x-hex") String pfn) {
        int p = Args.pfn(pfn, pages.nrPages());
        GuestPages.PageInfo info = pages.page(p);
        System.out.println(pages.dumpPage(p, "mm:page"));
        System.out.printf("zone: %s  pageblock: %s  content: %016x%n", info.zone(), info.pageblock().kernelName(),
                info.content());
    }

    @Descriptor("write a /proc/kpageflags snapshot (one little-endian u64 per PFN) for page-types -F FILE; a file"
            + " that exists is replaced only with --force")
    public void kpageflags(@Descriptor("replace the file if it exists")
            @Parameter(names = {"-f", "--force"}, presentValue = "true", absentValue = "false") boolean force,
            @Descriptor("the file to write") String file) throws IOException {
        pages.nrPages(); // no guest: said before the file is looked at
        Path path = CommandArgs.newFile("FILE", file);
        long written;
        try {
            written = pages.writeKpageflags(path, force);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalArgumentException(path + " exists: give --force to replace it, or another file");
        }
        System.out.printf("wrote %d pages (%d bytes) to %s; read it with: page-types -F %s%n", written, written * 8, path,
                path);
    }

    @Descriptor("write the guest as a kdump vmcore (ELF64, VMCOREINFO, struct pages as the kernel's) that makedumpfile"
            + " reads; PageOffline pages are not read (seed 004) unless --naive; a file that exists is replaced only"
            + " with --force")
    public void vmcore(@Descriptor("read every page, PageOffline ones too, as dump tools did before 2019")
            @Parameter(names = {"-n", "--naive"}, presentValue = "true", absentValue = "false") boolean naive,
            @Descriptor("replace the file if it exists")
            @Parameter(names = {"-f", "--force"}, presentValue = "true", absentValue = "false") boolean force,
            @Descriptor("the file to write") String file) throws IOException {
        pages.nrPages(); // no guest: said before the file is looked at
        Path path = CommandArgs.newFile("FILE", file);
        GuestPages.VmcoreWritten r;
        long t0 = System.nanoTime();
        try {
            r = pages.writeVmcore(path, naive, force);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalArgumentException(path + " exists: give --force to replace it, or another file");
        }
        long ms = Math.max(1, (System.nanoTime() - t0) / 1_000_000);
        System.out.printf("wrote %s: %d bytes, an ELF64 kdump vmcore of %d pages (%s), in %d ms (%d MiB/s)%n", path,
                r.bytes(), r.ramPages(), Sizes.format(r.ramPages()), ms, (r.bytes() >> 20) * 1000 / ms);
        System.out.printf("read %d pages, left %d PageOffline pages unread%s; hosts backed %d frames again for it%s%n",
                r.pagesRead(), r.offlineSkipped(), naive ? " (--naive: every page read)" : "", r.backed(),
                r.backedByHost().isEmpty() ? "" : ": " + new TreeMap<>(r.backedByHost()).toString().replaceAll("[{}]", ""));
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
        int p = CommandArgs.intNumber("--processes", processes, 1, WorkloadControl.MAX_PROCESSES);
        int n = CommandArgs.intNumber("--pages", pages, 1, WorkloadControl.MAX_PAGES_PER_PROCESS);
        int t = CommandArgs.intNumber("--threads", threads, 1, WorkloadControl.MAX_THREADS);
        double percent = Args.percent("--target", target);
        switch (CommandArgs.given("ACTION", action)) {
            case "start":
                System.out.println(workload.start(s, p, n, t).text());
                break;
            case "fragment":
                System.out.print(workload.fragment(s, p, percent).describe());
                break;
            case "stop":
                System.out.println(workload.stop().text());
                break;
            case "status":
                System.out.println(workload.status().text());
                break;
            default:
                throw new IllegalArgumentException("'" + action + "' is not a workload action: use start, stop, status"
                        + " or fragment");
        }
    }

    @Descriptor("verify every invariant of the whole memory; the last line is 'mm:check: OK' or 'mm:check: FAIL <what>'")
    public void check(@Descriptor("print the result as one JSON object: summary, problems, ok, verdict")
            @Parameter(names = {"--json"}, presentValue = "true", absentValue = "false") boolean json) {
        CheckResult r = checker.check();
        if (json) {
            System.out.println(Json.write(r));
        } else {
            r.lines().forEach(System.out::println);
        }
        if (!r.ok()) {
            throw new IllegalStateException(r.verdict());
        }
    }

    @Descriptor("show the kernel log")
    public void dmesg(@Descriptor("clear the ring after printing, like dmesg -c")
            @Parameter(names = {"-c", "--clear"}, presentValue = "true", absentValue = "false") boolean clear) {
        views.dmesg().forEach(System.out::println);
        if (clear) {
            views.clearDmesg();
        }
    }
}

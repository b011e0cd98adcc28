package org.mmlab.mm.internal;

import java.util.function.IntUnaryOperator;

import org.mmlab.mm.KernelBug;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;

/**
 * The debug checkers, switchable like their CONFIG_ options, and the splats they print to dmesg
 * (mm/debug.c dump_page, mm/page_alloc.c bad_page, lib/list_debug.c, VM_BUG_ON_PAGE).
 * A checker that fires abandons the operation before it changes state, the way BUG() kills
 * the task that hit it; with the checker off, the simulation does what the kernel would do.
 */
public final class MmDebug {
    private final Dmesg dmesg;
    private volatile boolean debugVm;
    private volatile boolean debugList;
    private volatile MemMap map;
    private volatile IntUnaryOperator zoneOf = pfn -> 0;
    private final StringBuffer taints = new StringBuffer();
    private volatile long reports;
    private final Lockdep lockdep;
    private volatile boolean isolateRetest = true;
    private volatile boolean isolateUnlessZero = true;
    private final Kasan kasan = new Kasan(this);

    MmDebug(Dmesg dmesg, boolean debugVm, boolean debugList) {
        this(dmesg, debugVm, debugList, false);
    }

    /** With lockdep on from boot, every task is tracked: none can hold a lock of a guest not yet built. */
    MmDebug(Dmesg dmesg, boolean debugVm, boolean debugList, boolean lockdep) {
        this.dmesg = dmesg;
        this.debugVm = debugVm;
        this.debugList = debugList;
        this.lockdep = new Lockdep(this, lockdep);
    }

    void attach(MemMap map, IntUnaryOperator zoneOf) {
        this.map = map;
        this.zoneOf = zoneOf;
    }

    /** CONFIG_DEBUG_VM: VM_BUG_ON_PAGE() and the refcount-underflow check in put_page(). */
    public boolean debugVm() {
        return debugVm;
    }

    public void setDebugVm(boolean on) {
        debugVm = on;
    }

    /** CONFIG_DEBUG_LIST: validate every list_add()/list_del(). */
    public boolean debugList() {
        return debugList;
    }

    public void setDebugList(boolean on) {
        debugList = on;
    }

    /**
     * Seed 000's rule iii: isolation re-tests a balloon page under its lock (on by default). Off
     * reproduces the lockless scan's false positive (the race lab's race 6).
     */
    public boolean isolateRetest() {
        return isolateRetest;
    }

    public void setIsolateRetest(boolean on) {
        isolateRetest = on;
    }

    /**
     * Seed 001: isolation takes its reference with get_page_unless_zero() (on by default); off, with
     * get_page(), which revives a page on its way to the allocator (the race lab's race 7).
     */
    public boolean isolateUnlessZero() {
        return isolateUnlessZero;
    }

    public void setIsolateUnlessZero(boolean on) {
        isolateUnlessZero = on;
    }

    /** CONFIG_PROVE_LOCKING: the lock-order checker (off by default: it costs on every lock). */
    public Lockdep lockdep() {
        return lockdep;
    }

    /** KASAN and KMSAN for the objects page->mapping points to (on by default: it costs a compare per use). */
    public Kasan kasan() {
        return kasan;
    }

    /** The taint letters so far ('B' bad page, 'W' warning, 'D' died), as /proc/sys/kernel/tainted's string. */
    public String taints() {
        return taints.toString();
    }

    /** How many reports the checkers have printed since boot. */
    public long reports() {
        return reports;
    }

    private void taint(char c) {
        synchronized (taints) {
            if (taints.indexOf(String.valueOf(c)) < 0) {
                taints.append(c);
            }
        }
    }

    static String comm() {
        String name = Thread.currentThread().getName();
        return name.length() > 15 ? name.substring(0, 15) : name;
    }

    /** print_kernel_ident(): the release and the taint state. */
    String kernelIdent() {
        return "6.18.0-mmlab #1 " + (taints.length() == 0 ? "Not tainted" : "Tainted: " + taints);
    }

    String cpuLine() {
        return String.format("CPU: 0 UID: 0 PID: %d Comm: %s %s", Thread.currentThread().getId(), comm(),
                taints.length() == 0 ? "Not tainted" : "Tainted: " + taints);
    }

    /** CHECK_DATA_CORRUPTION(): a WARN with the corruption message; returns false so the caller skips. */
    boolean listCorruption(String message) {
        warn(message, "lib/list_debug.c", message.startsWith("list_add") ? "__list_add_valid_or_report"
                : "__list_del_entry_valid_or_report");
        return false;
    }

    /** WARN(): a warning splat with the caller's file and function. */
    public void warn(String message, String file, String function) {
        reports++;
        taint('W');
        dmesg.printk("------------[ cut here ]------------\n" + message + "\nWARNING: CPU: 0 PID: "
                + Thread.currentThread().getId() + " at " + file + " " + function + "\n" + cpuLine() + "\n"
                + javaTrace() + "---[ end trace 0000000000000000 ]---");
    }

    /** A KASAN-style report (use after unload), framed as KASAN frames its reports; the task goes on. */
    void useAfterUnload(String report) {
        reports++;
        taint('B');
        dmesg.printk("==================================================================\n" + report
                + "\n==================================================================");
    }

    /** A KASAN or KMSAN report, already framed (end_report(): TAINT_BAD_PAGE); the task goes on. */
    void kasanReport(String report) {
        reports++;
        taint('B');
        dmesg.printk(report);
    }

    /** A lockdep splat (kernel/locking/lockdep.c): printed as a warning, no taint; the task goes on. */
    void lockdepReport(String report) {
        reports++;
        dmesg.printk(report);
    }

    /** A NULL pointer dereference at this offset: the Oops the kernel prints, and the task dies. */
    KernelBug nullPointerDereference(int offset, String function) {
        reports++;
        taint('D');
        String msg = String.format("BUG: kernel NULL pointer dereference, address: %016x", offset);
        dmesg.printk(msg + "\n#PF: supervisor read access in kernel mode\n#PF: error_code(0x0000) - not-present page\n"
                + "Oops: 0000 [#1] SMP NOPTI\n" + cpuLine() + "\nRIP: 0010:" + function + "\n" + javaTrace()
                + "---[ end trace 0000000000000000 ]---");
        return new KernelBug(msg + " in " + function);
    }

    /** A dereference of a poisoned pointer: the Oops the kernel prints, and the task dies. */
    KernelBug generalProtectionFault(int poison, String function) {
        reports++;
        taint('D');
        String addr = poison == PageLists.LIST_POISON1 ? "0xdead000000000100"
                : poison == PageLists.LIST_POISON2 ? "0xdead000000000122" : String.format("0x%x", poison);
        String msg = "general protection fault, probably for non-canonical address " + addr + ": 0000 [#1] SMP NOPTI";
        dmesg.printk("Oops: " + msg + "\n" + cpuLine() + "\nRIP: 0010:" + function + "\n" + javaTrace()
                + "---[ end trace 0000000000000000 ]---");
        return new KernelBug(msg + " in " + function);
    }

    /** bad_page(): "BUG: Bad page state"; the page is taken out of circulation by the caller. */
    void badPage(int pfn, String reason) {
        reports++;
        taint('B');
        dmesg.printk(String.format("BUG: Bad page state in process %s  pfn:%05x", comm(), pfn) + "\n"
                + dumpPage(pfn, reason) + "\nModules linked in:\n" + cpuLine() + "\n" + javaTrace()
                + "Disabling lock debugging due to kernel taint");
    }

    /** VM_BUG_ON_PAGE(cond, page) when cond is true and CONFIG_DEBUG_VM is on; returns the exception to throw. */
    KernelBug vmBugOnPage(int pfn, String condition, String file) {
        return bugReport(pfn, condition, file, file);
    }

    /**
     * The same at a line of a kernel file, e.g. "mm/compaction.c:102", as it is in kernelVersion (e.g.
     * "v4.8.15"): dmesg has the report as that kernel printed it, the exception's message the version too.
     */
    KernelBug vmBugOnPage(int pfn, String condition, String fileLine, String kernelVersion) {
        return bugReport(pfn, condition, fileLine, fileLine + " (" + kernelVersion + ")");
    }

    private KernelBug bugReport(int pfn, String condition, String at, String atWithVersion) {
        reports++;
        taint('D');
        dmesg.printk(dumpPage(pfn, "VM_BUG_ON_PAGE(" + condition + ")") + "\n------------[ cut here ]------------\n"
                + "kernel BUG at " + at + "!\nOops: invalid opcode: 0000 [#1] SMP NOPTI\n" + cpuLine() + "\n"
                + javaTrace() + "---[ end trace 0000000000000000 ]---");
        return new KernelBug("kernel BUG at " + atWithVersion + ": VM_BUG_ON_PAGE(" + condition + ") pfn:"
                + Integer.toHexString(pfn));
    }

    /** dump_page(): the page's raw struct as mm/debug.c prints it. */
    public String dumpPage(int pfn, String reason) {
        MemMap m = map;
        int head = m.compoundHead(pfn);
        int mappingWord = m.mapping[pfn];
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("page: refcount:%d mapcount:%d mapping:%016x index:%#x pfn:%#x", m.refcount(pfn),
                m.mapcount(pfn), mappingAddress(mappingWord), m.index[pfn], pfn));
        if (head != pfn) {
            sb.append(String.format("\nhead: order:%d pfn:%#x", m.compoundOrder(head), head));
        } else if (m.testFlag(pfn, PageFlags.PG_head)) {
            sb.append(String.format("\nhead: order:%d", m.compoundOrder(pfn)));
        }
        int flags = m.flagsWord(pfn);
        String names = PageFlags.format(flags);
        sb.append(String.format("\n%sflags: %#x(%szone=%d)", (mappingWord & MemMap.PAGE_MAPPING_ANON) != 0 ? "anon " : "",
                flags, names.isEmpty() ? "" : names + "|", zoneOf.applyAsInt(pfn)));
        PageType type = m.pageType(pfn);
        if (type != null) {
            sb.append(String.format("\npage_type: %x(%s%s)", type.value(), type.kernelName(),
                    m.pageAerated(pfn) ? "|aerated" : ""));
        }
        sb.append(String.format("\nraw: %016x %s %s %016x", flags & 0xffffffffL, m.lruAddress(m.next[pfn]), m.lruAddress(m.prev[pfn]),
                mappingAddress(mappingWord)));
        sb.append(String.format("\nraw: %016x %016x %08x%08x 0000000000000000", m.index[pfn] & 0xffffffffL,
                m.pagePrivate[pfn] & 0xffffffffL, m.refcount(pfn), m.mapcountOrType[pfn]));
        sb.append("\npage dumped because: ").append(reason);
        return sb.toString();
    }

    /** page->mapping as the kernel prints it: the object's address, its pointer tag on top, the PAGE_MAPPING_* bits. */
    static long mappingAddress(int word) {
        return word == 0 ? 0 : Kasan.tagged(Kasan.objectAddress(MemMap.mappingHandle(word)), MemMap.mappingTag(word))
                + (word & MemMap.PAGE_MAPPING_FLAGS);
    }

    /** "Call Trace:" from the Java stack of the simulated task, innermost mmlab frames only. */
    static String javaTrace() {
        return "Call Trace:\n" + javaFrames();
    }

    /** The innermost mmlab frames of the calling task, one a line, without the checkers' own. */
    static String javaFrames() {
        StringBuilder sb = new StringBuilder();
        int n = 0;
        for (StackTraceElement e : Thread.currentThread().getStackTrace()) {
            String c = e.getClassName();
            if (c.startsWith("org.mmlab.") && !c.endsWith("MmDebug") && !c.endsWith(".Kasan") && !c.endsWith(".MappingSlab")
                    && !LockdepReport.isLockdepFrame(c) && n++ < 12) {
                sb.append(" ").append(c.substring(c.lastIndexOf('.') + 1)).append('.').append(e.getMethodName())
                        .append("+").append(e.getLineNumber()).append('\n');
            }
        }
        return sb.toString();
    }
}

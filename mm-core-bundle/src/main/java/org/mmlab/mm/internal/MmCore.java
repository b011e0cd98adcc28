package org.mmlab.mm.internal;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.mmlab.mm.Gfp;
import org.mmlab.mm.Hypervisor;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.Mm;
import org.mmlab.mm.NodeStat;
import org.mmlab.mm.OomNotifier;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;
import org.mmlab.mm.Shrinker;
import org.mmlab.mm.VmEvent;
import org.mmlab.mm.lab.MmLab;
import org.mmlab.mm.lab.ModuleCall;
import org.mmlab.mm.lab.ModulePolicy;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The built-in kernel: boots a guest and offers it as the MemoryManager service, and the race lab's
 * controls over it as the MmLab service. Its configuration is PID org.mmlab.mm, which {@link ConfigGate}
 * checks and passes on as PID org.mmlab.mm.boot: a change it lets through reboots the guest. A
 * configuration that fails here (the first boot's, with no good one to keep) fails activation with a
 * message that says what is allowed.
 */
@Component(service = {MemoryManager.class, MmLab.class, MmCore.class}, configurationPid = MmCore.BOOT_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
public class MmCore implements MemoryManager, MmLab {
    /** The guest's configuration, as users and tools write it. */
    public static final String PID = "org.mmlab.mm";
    /** The configuration the guest boots from: only ConfigGate writes it, with what it checked. */
    public static final String BOOT_PID = "org.mmlab.mm.boot";
    /** The property of BOOT_PID naming the change of PID it was admitted from (Configuration.getChangeCount()). */
    static final String CHANGE_COUNT = "mmlab.changeCount";

    @ObjectClassDefinition(name = "mmlab guest memory", description = "Geometry and debug options of the simulated guest")
    public @interface Config {
        @AttributeDefinition(description = "Guest memory: a multiple of 2M, at least 16M (e.g. 4G, 64G)")
        String memorySize() default "4G";

        @AttributeDefinition(description = "Size of ZONE_DMA32 at the bottom of memory; the rest is ZONE_NORMAL")
        String dma32Size() default "3G";

        @AttributeDefinition(description = "Page content: a 64-bit tag per page, or a real 4 KiB frame off the heap",
                options = {@Option(label = "64-bit tag", value = "tag"), @Option(label = "4 KiB frame", value = "frame")})
        String contentModel() default "tag";

        @AttributeDefinition(description = "CONFIG_DEBUG_VM: VM_BUG_ON_PAGE, bad page state and refcount checks")
        boolean debugVm() default true;

        @AttributeDefinition(description = "CONFIG_DEBUG_LIST: validate every list_add and list_del")
        boolean debugList() default true;

        @AttributeDefinition(description = "Contract for migrating pages that are not on the LRU",
                options = {@Option(label = "2012: balloon_compaction (v3.8)", value = "2012"),
                    @Option(label = "2016: non-LRU movable pages (v4.8)", value = "2016"),
                    @Option(label = "2025: movable_ops (v6.17)", value = "2025")})
        String migrationContract() default "2025";

        @AttributeDefinition(description = "CONFIG_PAGE_POISONING with page_poison=1: freed pages are filled with PAGE_POISON and checked when allocated")
        boolean pagePoisoning() default false;

        @AttributeDefinition(description = "CONFIG_PROVE_LOCKING: lockdep on from boot (it costs on every lock)")
        boolean lockdep() default false;
    }

    private final GuestMemory guest;
    private final Workload workload;
    /** The module loader, which outlives every guest: it must not keep this one once it is gone. */
    private final ModuleTracker modules;
    /** The change of PID org.mmlab.mm this guest boots from (0: none, or outside the framework). */
    private final long changeCount;

    /** A guest outside the framework: no driver modules, so nothing to check, and no OSGi log. */
    public MmCore(Config config) {
        this(config, Map.of(), null, null);
    }

    /**
     * The MemoryManager of a guest its caller built and drives (mm-core's tests, whose drivers use only
     * the exported API): nothing else runs in it, not even kcompactd.
     */
    MmCore(GuestMemory guest) {
        this.guest = guest;
        this.workload = new Workload(guest);
        this.modules = null;
        this.changeCount = 0;
    }

    @Activate
    public MmCore(Config config, Map<String, Object> props, @Reference ModuleTracker modules,
            @Reference(service = LoggerFactory.class, cardinality = ReferenceCardinality.OPTIONAL) Logger log) {
        changeCount = props.get(CHANGE_COUNT) instanceof Number n ? n.longValue() : 0;
        guest = boot(MmConfig.parse(properties(config)));
        workload = new Workload(guest);
        this.modules = modules;
        if (log != null) {
            guest.dmesg.labLog = (text, cause) -> log.warn("{}", text, cause);
        }
        if (modules != null) {
            guest.modules = new ModuleCalls(modules.table, guest);
            modules.table.log = guest.dmesg;
            modules.table.drain = guest.modules::drain;
        }
        guest.compaction.kcompactd().run(); // kcompactd_init(): last, so a failed activation leaves no thread
    }

    /** Every property at its default. */
    static Config defaults() {
        return (Config) Proxy.newProxyInstance(Config.class.getClassLoader(), new Class<?>[] {Config.class},
                (proxy, method, args) -> method.getDefaultValue());
    }

    /** The configuration as the properties of PID org.mmlab.mm, with the defaults for those not set. */
    static Map<String, Object> properties(Config config) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("memorySize", config.memorySize());
        p.put("dma32Size", config.dma32Size());
        p.put("contentModel", config.contentModel());
        p.put("debugVm", config.debugVm());
        p.put("debugList", config.debugList());
        p.put("migrationContract", config.migrationContract());
        p.put("pagePoisoning", config.pagePoisoning());
        p.put("lockdep", config.lockdep());
        return p;
    }

    /**
     * The guest, built: MmConfig checked that the heap holds it, so running out of heap here means
     * something else holds the heap (the previous guest, if anything still references it).
     */
    private static GuestMemory boot(MmConfig c) {
        try {
            return new GuestMemory(c);
        } catch (OutOfMemoryError e) {
            throw new IllegalStateException(String.format("memorySize=%s: the JVM ran out of heap building the guest's"
                    + " memmap (%d MiB), which its heap should hold: something else holds the heap (see the log);"
                    + " start the lab with more (MMLAB_JAVA_OPTS=-Xmx...) or choose a smaller memorySize",
                    org.mmlab.mm.Sizes.format(c.nrPages()), c.heapBytes() >> 20));
        }
    }

    @Deactivate
    void deactivate() {
        guest.compaction.kcompactd().stop();
        workload.stop();
        // the loader's log and drain reach this guest: cleared, its memmap is garbage before the next boots
        if (modules != null && modules.table.log == guest.dmesg) {
            modules.table.log = null;
            modules.table.drain = null;
        }
    }

    public GuestMemory guest() {
        return guest;
    }

    /** The change of PID org.mmlab.mm this guest booted from (Configuration.getChangeCount()). */
    long changeCount() {
        return changeCount;
    }

    public Workload workload() {
        return workload;
    }

    @Override
    public int nrPages() {
        return guest.nrPages();
    }

    @Override
    public long totalramPages() {
        return guest.managedPages();
    }

    @Override
    public long freePages() {
        return guest.freePages();
    }

    @Override
    public int allocPages(int gfp, int order) {
        return guest.allocPages(gfp, order);
    }

    @Override
    public void freePages(int pfn, int order) {
        guest.freePages(pfn, order);
    }

    @Override
    public void splitPage(int pfn, int order) {
        guest.splitPage(pfn, order);
    }

    @Override
    public void getPage(int pfn) {
        guest.getPage(pfn);
    }

    @Override
    public boolean getPageUnlessZero(int pfn) {
        return guest.getPageUnlessZero(pfn);
    }

    @Override
    public void putPage(int pfn) {
        guest.putPage(pfn);
    }

    @Override
    public int pageCount(int pfn) {
        return guest.pageCount(pfn);
    }

    @Override
    public boolean trylockPage(int pfn) {
        return guest.trylockPage(pfn);
    }

    @Override
    public void lockPage(int pfn) {
        guest.lockPage(pfn);
    }

    @Override
    public void unlockPage(int pfn) {
        guest.unlockPage(pfn);
    }

    @Override
    public boolean testPageFlag(int pfn, int flag) {
        return guest.testPageFlag(pfn, flag);
    }

    @Override
    public PageType pageType(int pfn) {
        return guest.pageType(pfn);
    }

    @Override
    public long readPage(int pfn) {
        guest.checkPfn(pfn);
        guest.hostFrames.access(pfn, "kernel load");
        return guest.content.read(pfn);
    }

    @Override
    public void writePage(int pfn, long tag) {
        guest.checkPfn(pfn);
        guest.hostFrames.access(pfn, "kernel store");
        guest.content.write(pfn, tag);
    }

    @Override
    public void registerOomNotifier(OomNotifier notifier) {
        guest.alloc.slowpath.registerOomNotifier(notifier);
    }

    @Override
    public void unregisterOomNotifier(OomNotifier notifier) {
        guest.alloc.slowpath.unregisterOomNotifier(notifier);
    }

    @Override
    public void printk(String text) {
        guest.dmesg.printk(text);
    }

    @Override
    public void adjustManagedPageCount(int pfn, long count) {
        guest.checkPfn(pfn);
        guest.adjustManagedPageCount(pfn, count);
    }

    @Override
    public void countVmEvent(VmEvent item) {
        guest.vmstat.inc(VmItem.of(item));
    }

    @Override
    public long vmEvents(VmEvent item) {
        return guest.vmstat.get(VmItem.of(item));
    }

    @Override
    public void modNodePageState(NodeStat item, long delta) {
        guest.vmstat.add(VmItem.of(item), delta);
    }

    @Override
    public long nodePageState(NodeStat item) {
        return guest.vmstat.get(VmItem.of(item));
    }

    @Override
    public void preemptDisable() {
        guest.stopMachine.enter();
    }

    @Override
    public void preemptEnable() {
        guest.stopMachine.exit();
    }

    @Override
    public void registerShrinker(String name, Shrinker shrinker) {
        guest.alloc.slowpath.registerShrinker(name, shrinker);
    }

    @Override
    public void unregisterShrinker(Shrinker shrinker) {
        guest.alloc.slowpath.unregisterShrinker(shrinker);
    }

    @Override
    public void hostDiscardFrame(int pfn, Hypervisor host) {
        guest.checkPfn(pfn);
        guest.hostFrames.discard(pfn, host);
    }

    @Override
    public void hostPopulateFrame(int pfn) {
        guest.checkPfn(pfn);
        guest.hostFrames.populate(pfn);
    }

    @Override
    public int hostDiscardFrames(int[] pfns, int from, int to, Hypervisor host) {
        checkRange(pfns, from, to);
        return guest.hostFrames.discard(pfns, from, to, host);
    }

    @Override
    public int hostPopulateFrames(int[] pfns, int from, int to) {
        checkRange(pfns, from, to);
        return guest.hostFrames.populate(pfns, from, to);
    }

    private static void checkRange(int[] pfns, int from, int to) {
        if (from < 0 || from > to || to > pfns.length) {
            throw new IllegalArgumentException(String.format("pfns[%d..%d) is not within the array (0 <= from <= to <= %d)",
                    from, to, pfns.length));
        }
    }

    @Override
    public Hypervisor frameHolder(int pfn) {
        guest.checkPfn(pfn);
        return guest.hostFrames.holder(pfn);
    }

    @Override
    public boolean pagePoisoningEnabled() {
        return guest.config.pagePoisoning;
    }

    @Override
    public boolean wantInitOnFree() {
        return false;
    }

    @Override
    public Map<String, Long> vmstat() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (VmItem item : VmItem.values()) {
            m.put(item.kernelName(), Long.parseUnsignedLong(VmstatView.value(guest, item)));
        }
        return m;
    }

    @Override
    public long memAvailable() {
        return Meminfo.memAvailable(guest);
    }

    @Override
    public int listHeadAlloc() {
        return guest.map.allocListHead();
    }

    @Override
    public void listHeadFree(int head) {
        checkListHead(head);
        if (!guest.lists.isEmpty(head)) {
            throw new IllegalStateException(guest.lists.addr(head) + ": list head freed while pages are on it");
        }
        guest.map.freeListHead(head);
    }

    @Override
    public boolean listAdd(int pfn, int head) {
        guest.checkPfn(pfn);
        checkListHead(head);
        return guest.lists.add(pfn, head);
    }

    @Override
    public boolean listDel(int pfn) {
        guest.checkPfn(pfn);
        return guest.lists.del(pfn);
    }

    @Override
    public boolean listEmpty(int head) {
        checkListHead(head);
        return guest.lists.isEmpty(head);
    }

    @Override
    public int listNext(int id) {
        if (id < 0 || id >= guest.map.nrPages + MemMap.MAX_LIST_HEADS) {
            throw new IllegalArgumentException("list node " + id + " out of range");
        }
        return guest.lists.next(id);
    }

    private void checkListHead(int head) {
        if (head < guest.map.nrPages || head >= guest.map.nrPages + MemMap.MAX_LIST_HEADS) {
            throw new IllegalArgumentException("not a list head: " + head);
        }
    }

    @Override
    public ModuleCall callIntoModule(Object callee, String call, int pfn) {
        return guest.modules.enter(callee, call, pfn);
    }

    @Override
    public boolean tryModuleGet(Object callee) {
        KernelModule m = guest.modules.table.moduleOf(callee);
        return m == null || m.tryGet();
    }

    @Override
    public void modulePut(Object callee) {
        KernelModule m = guest.modules.table.moduleOf(callee);
        if (m != null) {
            m.put();
        }
    }

    @Override
    public ModulePolicy modulePolicy() {
        return guest.modules.table.policy();
    }

    @Override
    public void setModulePolicy(ModulePolicy policy) {
        guest.modules.table.setPolicy(policy);
    }

    @Override
    public void injectionPoint(String point, int pfn) {
        guest.modules.table.at(point, pfn);
    }

    @Override
    public void msleep(long ms) {
        guest.modules.table.msleep(ms);
    }

    @Override
    public <T> T awaitOutside(Supplier<T> wait) {
        return guest.modules.table.awaitOutside(wait);
    }

    @Override
    public <T> T awaitWorker(Thread worker, Supplier<T> wait) {
        return guest.modules.table.awaitWorker(worker, wait);
    }

    @Override
    public void smpWmb() {
        guest.storeBuffer.drain();
    }

    @Override
    public long dmesgSeq() {
        return guest.dmesg.seq();
    }

    @Override
    public List<String> dmesgSince(long seq) {
        return guest.dmesg.since(seq);
    }

    @Override
    public void lockdepAcquire(String lockClass, boolean trylock) {
        if (!trylock) {
            guest.modules.table.atLock(lockClass); // a schedule may switch before the lock is taken
        }
        Lockdep lockdep = guest.debug().lockdep();
        if (lockdep.on) {
            lockdep.acquire(lockClass, trylock);
        }
    }

    @Override
    public void lockdepRelease(String lockClass) {
        Lockdep lockdep = guest.debug().lockdep();
        if (lockdep.on) {
            lockdep.release(lockClass);
        }
    }

    @Override
    public int migrateRange(int startPfn, int endPfn, MigrateMode mode) {
        if (startPfn < 0 || endPfn > guest.nrPages() || startPfn >= endPfn) {
            throw new IllegalArgumentException(String.format("migrateRange [%#x, %#x): not a range of this guest's"
                    + " %d pages", startPfn, endPfn, guest.nrPages()));
        }
        Migrate m = guest.migrate;
        int head = guest.map.allocListHead();
        List<Integer> inside = new ArrayList<>();
        try {
            // isolate_migratepages_range(): the lockless test of isolate_migratepages_block() first
            for (int pfn = startPfn; pfn < endPfn; pfn++) {
                boolean lru = guest.testPageFlag(pfn, PageFlags.PG_lru);
                if (lru ? m.isolateLruPage(pfn)
                        : m.pageHasMovableOps(pfn) && !m.pageMovableIsolated(pfn) && m.isolateMovablePage(pfn, 0)) {
                    guest.lists.add(pfn, head);
                }
            }
            // alloc_migration_target(): any free page, but not one of the range
            int[] migrated = new int[1];
            m.migratePages(head, (src, order) -> {
                int pfn;
                while ((pfn = guest.allocPages(Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_NOWARN, 0)) != Mm.NO_PAGE
                        && pfn >= startPfn && pfn < endPfn) {
                    inside.add(pfn);
                }
                return pfn;
            }, (pfn, order) -> guest.freePages(pfn, order), mode, Migrate.Reason.SYSCALL, migrated);
            m.putbackMovablePages(head);
            return migrated[0];
        } finally {
            inside.forEach(pfn -> guest.freePages(pfn, 0));
            guest.map.freeListHead(head);
        }
    }
}

package org.mmlab.mm.internal;

import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.OomNotifier;
import org.mmlab.mm.PageType;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The built-in kernel: boots a guest from configuration PID org.mmlab.mm and offers it as the
 * MemoryManager service. A configuration change reboots the guest; a bad one fails activation
 * with a message that says what is allowed, and no service is registered.
 */
@Component(service = {MemoryManager.class, MmCore.class}, configurationPid = MmCore.PID, immediate = true)
@Designate(ocd = MmCore.Config.class)
public class MmCore implements MemoryManager {
    public static final String PID = "org.mmlab.mm";

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
    }

    private final GuestMemory guest;
    private final Workload workload;

    @Activate
    public MmCore(Config config) {
        guest = new GuestMemory(MmConfig.parse(config.memorySize(), config.dma32Size(), config.contentModel(),
                config.debugVm(), config.debugList(), config.migrationContract()));
        workload = new Workload(guest);
        guest.compaction.kcompactd().run(); // kcompactd_init(): last, so a failed activation leaves no thread
    }

    @Deactivate
    void deactivate() {
        guest.compaction.kcompactd().stop();
        workload.stop();
    }

    public GuestMemory guest() {
        return guest;
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
        return guest.content.read(pfn);
    }

    @Override
    public void writePage(int pfn, long tag) {
        guest.checkPfn(pfn);
        guest.content.write(pfn, tag);
    }

    @Override
    public void registerOomNotifier(OomNotifier notifier) {
        guest.alloc.registerOomNotifier(notifier);
    }

    @Override
    public void unregisterOomNotifier(OomNotifier notifier) {
        guest.alloc.unregisterOomNotifier(notifier);
    }

    @Override
    public void printk(String text) {
        guest.dmesg.printk(text);
    }
}

package org.mmlab.mm.internal;

import java.lang.management.ManagementFactory;
import java.util.Map;

import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.Mm;
import org.mmlab.mm.Sizes;
import org.mmlab.mm.admin.GuestConfiguration;

/**
 * The guest's geometry and debug options, validated before anything is built: a bad value is
 * refused with what is allowed, and nothing starts half configured.
 */
public final class MmConfig {
    /** Pages are numbered by int: 2^30 pages (4 TiB) is the most the memmap addresses. */
    static final long MAX_PAGES = 1L << 30;
    /** The smallest guest: 16 MiB (8 pageblocks). */
    static final long MIN_BYTES = 16L << 20;
    static final long PAGEBLOCK_BYTES = (long) Mm.PAGEBLOCK_NR_PAGES << Mm.PAGE_SHIFT;
    /** Heap the JVM must keep beyond one guest's memmap: Felix, the shell and the workload. */
    static final long HEAP_HEADROOM = 128L << 20;

    final long memoryBytes;
    final long dma32Bytes;
    final boolean frames;
    final boolean debugVm;
    final boolean debugList;
    /** Which non-LRU migration contract the guest runs (Migrate, MovablePages). */
    final MigrationContract migrationContract;
    /** CONFIG_PAGE_POISONING with page_poison=1 (virtio's PAGE_POISON feature depends on it). */
    final boolean pagePoisoning;
    /** CONFIG_PROVE_LOCKING: lockdep on from boot (mm:debug lockdep switches it in the running guest). */
    final boolean lockdep;
    /**
     * nr_cpu_ids for the page allocator's per-cpu pagesets (PageAllocPcp): 1 by default, so that which PFN
     * an allocation returns depends on the order of the calls alone; 0 boots without pagesets.
     */
    final int nrCpuIds;

    MmConfig(long memoryBytes, long dma32Bytes, boolean frames, boolean debugVm, boolean debugList) {
        this(memoryBytes, dma32Bytes, frames, debugVm, debugList, MigrationContract.MOVABLE_OPS_2025);
    }

    MmConfig(long memoryBytes, long dma32Bytes, boolean frames, boolean debugVm, boolean debugList,
            MigrationContract migrationContract) {
        this(memoryBytes, dma32Bytes, frames, debugVm, debugList, migrationContract, false, false, 1);
    }

    private MmConfig(long memoryBytes, long dma32Bytes, boolean frames, boolean debugVm, boolean debugList,
            MigrationContract migrationContract, boolean pagePoisoning, boolean lockdep, int nrCpuIds) {
        this.nrCpuIds = nrCpuIds;
        this.pagePoisoning = pagePoisoning;
        this.lockdep = lockdep;
        this.memoryBytes = memoryBytes;
        this.dma32Bytes = dma32Bytes;
        this.frames = frames;
        this.debugVm = debugVm;
        this.debugList = debugList;
        this.migrationContract = migrationContract;
    }

    /**
     * Parses and checks the configuration properties.
     *
     * @throws IllegalArgumentException naming the property, the value and what is allowed
     */
    public static MmConfig parse(String memorySize, String dma32Size, String contentModel, boolean debugVm,
            boolean debugList) {
        return parse(memorySize, dma32Size, contentModel, debugVm, debugList, MigrationContract.MOVABLE_OPS_2025.value());
    }

    /**
     * Parses and checks the configuration properties, migrationContract ("2012", "2016" or "2025") included.
     *
     * @throws IllegalArgumentException naming the property, the value and what is allowed
     */
    public static MmConfig parse(String memorySize, String dma32Size, String contentModel, boolean debugVm,
            boolean debugList, String migrationContract) {
        MigrationContract contract = MigrationContract.parse(migrationContract);
        MmConfig c = new MmConfig(memoryBytes(memorySize), dma32Bytes(dma32Size), frames(contentModel), debugVm,
                debugList, contract);
        c.checkFitsJvm();
        return c;
    }

    /**
     * Parses and checks the properties as Configuration Admin holds them (see {@link #properties()}):
     * the four strings, and four booleans (a Boolean, or its text).
     *
     * @throws IllegalArgumentException naming the property, the value and what is allowed
     */
    public static MmConfig parse(Map<String, ?> p) {
        return parse(string(p, "memorySize"), string(p, "dma32Size"), string(p, "contentModel"), bool(p, "debugVm"),
                bool(p, "debugList"), string(p, "migrationContract")).withPagePoisoning(bool(p, "pagePoisoning"))
                .withLockdep(bool(p, "lockdep"));
    }

    private static String string(Map<String, ?> p, String name) {
        Object v = p.get(name);
        return v == null ? null : v.toString();
    }

    private static boolean bool(Map<String, ?> p, String name) {
        return Boolean.parseBoolean(string(p, name));
    }

    /** This configuration as the eight properties of PID org.mmlab.mm, sizes in bytes. */
    public Map<String, Object> properties() {
        return configuration().properties();
    }

    /** This configuration as the admin services give it. */
    public GuestConfiguration configuration() {
        return new GuestConfiguration(memoryBytes, dma32Bytes, zoneDma32Bytes(), frames ? "frame" : "tag", debugVm,
                debugList, migrationContract, pagePoisoning, lockdep);
    }

    /**
     * Checks one property on its own, as parse() would (but for what needs two: whether the JVM holds
     * the guest); booleans are always valid, Declarative Services converts whatever was stored.
     *
     * @throws IllegalArgumentException naming the property, the value and what is allowed
     */
    static void checkProperty(String name, Object value) {
        String v = value == null ? null : value.toString();
        switch (name) {
            case "memorySize": memoryBytes(v); break;
            case "dma32Size": dma32Bytes(v); break;
            case "contentModel": frames(v); break;
            case "migrationContract": MigrationContract.parse(v); break;
            default: break;
        }
    }

    private static long memoryBytes(String memorySize) {
        long mem = size("memorySize", memorySize);
        if (mem < MIN_BYTES || mem % PAGEBLOCK_BYTES != 0) {
            throw new IllegalArgumentException("memorySize=" + memorySize + ": must be a multiple of 2M (a pageblock)"
                    + " and at least 16M");
        }
        if ((mem >> Mm.PAGE_SHIFT) > MAX_PAGES) {
            throw new IllegalArgumentException("memorySize=" + memorySize + ": at most 4T (2^30 pages)");
        }
        return mem;
    }

    private static long dma32Bytes(String dma32Size) {
        long dma32 = size("dma32Size", dma32Size);
        if (dma32 <= 0 || dma32 % PAGEBLOCK_BYTES != 0) {
            throw new IllegalArgumentException("dma32Size=" + dma32Size + ": must be a positive multiple of 2M");
        }
        return dma32;
    }

    private static boolean frames(String contentModel) {
        if ("tag".equals(contentModel)) {
            return false;
        }
        if ("frame".equals(contentModel)) {
            return true;
        }
        throw new IllegalArgumentException("contentModel=" + contentModel + ": must be 'tag' (a 64-bit tag per"
                + " page) or 'frame' (a real 4 KiB frame off the heap)");
    }

    private static long size(String name, String value) {
        try {
            return Sizes.parseBytes(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + "=" + value + ": " + e.getMessage(), e);
        }
    }

    /** The same configuration with page poisoning on or off. */
    public MmConfig withPagePoisoning(boolean on) {
        return new MmConfig(memoryBytes, dma32Bytes, frames, debugVm, debugList, migrationContract, on, lockdep,
                nrCpuIds);
    }

    public boolean pagePoisoning() {
        return pagePoisoning;
    }

    /** The same configuration with lockdep on or off from boot. */
    public MmConfig withLockdep(boolean on) {
        return new MmConfig(memoryBytes, dma32Bytes, frames, debugVm, debugList, migrationContract, pagePoisoning, on,
                nrCpuIds);
    }

    public boolean lockdep() {
        return lockdep;
    }

    /** The same configuration with this many CPUs' pagesets (0: none, every page by zone->lock). */
    MmConfig withNrCpuIds(int n) {
        return new MmConfig(memoryBytes, dma32Bytes, frames, debugVm, debugList, migrationContract, pagePoisoning,
                lockdep, n);
    }

    /** dma32Size as configured (it outlives a smaller memorySize, so a later larger one gets it back). */
    public long dma32Bytes() {
        return dma32Bytes;
    }

    /** The bytes ZONE_DMA32 actually spans: dma32Size, or all of memory if that is smaller. */
    public long zoneDma32Bytes() {
        return Math.min(dma32Bytes, memoryBytes);
    }

    public boolean debugVm() {
        return debugVm;
    }

    public boolean debugList() {
        return debugList;
    }

    public MigrationContract migrationContract() {
        return migrationContract;
    }

    public long nrPages() {
        return memoryBytes >> Mm.PAGE_SHIFT;
    }

    /** Heap the guest needs: the memmap plus content tags. */
    long heapBytes() {
        long perPage = MemMap.metadataBytesPerPage() + (frames ? 0 : Long.BYTES);
        return nrPages() * perPage;
    }

    private void checkFitsJvm() {
        checkFits(Runtime.getRuntime().maxMemory(), maxDirectMemory());
    }

    /**
     * Refuses a guest this JVM cannot hold: its memmap against the maximum heap less what the lab keeps
     * for itself, its frames (contentModel=frame) against the direct-memory limit. Only the new guest
     * counts, not the running one, nor how much of the heap is in use now: a reboot deactivates the
     * running guest before it builds the new one, and a full collection reclaims the old memmap before
     * the JVM would give up on the new one.
     */
    void checkFits(long maxHeap, long maxDirect) {
        long limit = maxHeap - HEAP_HEADROOM;
        if (heapBytes() > limit) {
            long perPage = heapBytes() / nrPages();
            long fitting = Math.max(0, limit) / perPage / Mm.PAGEBLOCK_NR_PAGES * PAGEBLOCK_BYTES;
            throw new IllegalArgumentException(String.format("memorySize=%s needs %d MiB of heap for its memmap, more"
                    + " than this JVM's %d MiB of heap leave a guest beside the lab's own %d MiB: the heap is too small"
                    + " for this memory size; start the lab with more (MMLAB_JAVA_OPTS=-Xmx%dg) or %s",
                    Sizes.format(nrPages()), heapBytes() >> 20, maxHeap >> 20, HEAP_HEADROOM >> 20,
                    (heapBytes() + HEAP_HEADROOM + (HEAP_HEADROOM >> 1) + (1L << 30) - 1) >> 30,
                    fitting >= MIN_BYTES ? "choose a smaller memorySize (at most " + (fitting >> 20) + "M with this heap)"
                            : "a smaller memorySize will not help: even 16M does not fit"));
        }
        if (frames && memoryBytes > maxDirect) {
            throw new IllegalArgumentException(String.format("contentModel=frame with memorySize=%s needs %d MiB off the"
                    + " heap, over this JVM's direct-memory limit of %d MiB (raise it, e.g."
                    + " MMLAB_JAVA_OPTS=-XX:MaxDirectMemorySize=%dg)", Sizes.format(nrPages()), memoryBytes >> 20,
                    maxDirect >> 20, (memoryBytes + (1L << 30) - 1) >> 30));
        }
    }

    /** -XX:MaxDirectMemorySize if the JVM was given one, else its default: the maximum heap. */
    static long maxDirectMemory() {
        long limit = Runtime.getRuntime().maxMemory();
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-XX:MaxDirectMemorySize=")) {
                limit = Sizes.parseBytes(arg.substring("-XX:MaxDirectMemorySize=".length()));
            }
        }
        return limit;
    }
}

package org.mmlab.mm.internal;

/**
 * Models the kernel's memory-safety checkers for the objects page->mapping points to (the
 * address_space of a balloon or movable mapping): software tag-based KASAN (mm/kasan/report.c,
 * report_tags.c and the stack ring of tags.c), generic KASAN's quarantine (quarantine.c) as an option,
 * and KMSAN's uninit-value report (mm/kmsan/report.c). A kernel is built with one of them; the lab runs
 * them together, for mappings only, where seed 003's races 4 and 5 live.
 *
 * <p>Each allocation tags the object (kasan_random_tag(): here 0x01..0xfd from a generator seeded at
 * boot, so that runs repeat, and never the tag the memory had last, so that a stale pointer is always
 * caught where the kernel misses one in 254); kfree() retags it KASAN_TAG_INVALID (0xfe). A
 * dereference whose pointer tag differs from the memory's is named as report_tags.c names it: the stack
 * ring is searched, newest first, for entries of the object with the pointer's tag; a free found
 * first makes it a "slab-use-after-free" (the object was freed, and perhaps reused since), an
 * allocation a "slab-out-of-bounds", nothing (the ring forgot) an "invalid-access".
 *
 * <p>As in a kernel without kasan_multi_shot, only the first KASAN report of a boot is printed; the
 * later ones are counted. An access the checker caught is abandoned (the caller sees no mapping), as
 * the lab's other checkers abandon what they catch. With the checker off the kernel's read happens:
 * the freed object's stale fields, or those of whatever lives in its memory now.
 */
public final class Kasan {
    /** KASAN_TAG_INVALID: the tag of freed memory. */
    static final int KASAN_TAG_INVALID = 0xfe;
    /** KASAN_TAG_MAX: the highest tag an allocation gets. */
    static final int KASAN_TAG_MAX = 0xfd;
    /** kasan.stack_ring_size's default. */
    static final int STACK_RING_SIZE = 32 * 1024;
    /** The kmalloc cache a 2012 struct address_space (about 170 bytes) came from. */
    static final String CACHE = "kmalloc-192";
    static final int OBJECT_SIZE = 192;
    private static final String KASAN_RULE = "==================================================================";
    private static final String KMSAN_RULE = "=====================================================";

    /** One alloc or free of an object, as the stack ring keeps it (struct kasan_stack_ring_entry). */
    private record Entry(int handle, int tag, boolean free, long pid, String stack) {
    }

    private final MmDebug debug;
    private final Entry[] ring;
    private long pos;
    private volatile boolean on = true;
    private volatile int quarantineSize;
    private boolean reported;
    private long suppressed;
    private int seed = 0x2545f491;
    /** current->kasan_depth: reports off inside kasan_disable_current() (the lab's own walks). */
    private final ThreadLocal<int[]> depth = ThreadLocal.withInitial(() -> new int[1]);

    Kasan(MmDebug debug) {
        this(debug, STACK_RING_SIZE);
    }

    Kasan(MmDebug debug, int stackRingSize) {
        this.debug = debug;
        this.ring = new Entry[stackRingSize];
    }

    public boolean on() {
        return on;
    }

    public void setOn(boolean on) {
        this.on = on;
    }

    /** How many freed objects wait before their memory can be allocated again (0: at once, as tag-based KASAN). */
    public int quarantineSize() {
        return quarantineSize;
    }

    public void setQuarantineSize(int n) {
        if (n < 0 || n > 4096) {
            throw new IllegalArgumentException("quarantine " + n + ": 0 (reuse at once) to 4096 objects");
        }
        quarantineSize = n;
    }

    /** KASAN reports printed since boot, and those kasan_multi_shot would have printed. */
    public synchronized long suppressed() {
        return suppressed;
    }

    /** kasan_disable_current() / kasan_enable_current(): the lab's own walks (mm:check) report nothing. */
    void disableCurrent() {
        depth.get()[0]++;
    }

    void enableCurrent() {
        depth.get()[0]--;
    }

    /** kasan_random_tag(), for memory whose last tag was avoid. */
    synchronized int randomTag(int avoid) {
        int t;
        do {
            seed ^= seed << 13;
            seed ^= seed >>> 17;
            seed ^= seed << 5;
            t = 1 + Integer.remainderUnsigned(seed, KASAN_TAG_MAX);
        } while (t == avoid);
        return t;
    }

    /** kasan_save_alloc_info() / kasan_save_free_info(): an entry of the stack ring. */
    synchronized void record(int handle, int tag, boolean free, String stack) {
        ring[(int) (pos++ % ring.length)] = new Entry(handle, tag, free, Thread.currentThread().getId(), stack);
    }

    /** The stack of the calling task, without the checker's own frames. */
    static String stack() {
        return MmDebug.javaFrames();
    }

    // ------------------------------------------------------------------ reports

    /**
     * kasan_report(): kernel code in function read (or wrote) the object at handle through a pointer
     * tagged ptrTag while the memory is tagged memTag.
     */
    void badAccess(int handle, int ptrTag, int memTag, String function, boolean write) {
        Tracks tracks = tracks(handle, ptrTag);
        long object = objectAddress(handle);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("BUG: KASAN: %s in %s%n", tracks.bugType(), function));
        sb.append(String.format("%s of size 8 at addr %016x by task %s/%d%n", write ? "Write" : "Read",
                tagged(object, ptrTag), MmDebug.comm(), Thread.currentThread().getId()));
        sb.append(String.format("Pointer tag: [%02x], memory tag: [%02x]%n%n", ptrTag, memTag));
        describe(sb, handle, tracks);
        kasanReport(sb);
    }

    /**
     * kasan_report_invalid_free(KASAN_REPORT_DOUBLE_FREE): kfree() of an object through a pointer whose
     * tag is not the memory's (freed already, or freed and allocated again since).
     */
    void doubleFree(int handle, int ptrTag, int memTag, String function) {
        Tracks tracks = tracks(handle, ptrTag);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("BUG: KASAN: double-free in %s%n", function));
        sb.append(String.format("Pointer tag: [%02x], memory tag: [%02x]%n%n", ptrTag, memTag));
        describe(sb, handle, tracks);
        kasanReport(sb);
    }

    /**
     * kmsan_report(REASON_ANY): function branched on a field of a mapping that was allocated but never
     * initialised. Why KMSAN: kmalloc() does not zero (the v7 patch used kmalloc, not kzalloc), and the
     * first thing migration reads is mapping->flags (mapping_balloon()), a conditional branch on
     * uninitialised memory, which is what KMSAN reports. A kernel with init_on_alloc=1 would read zeroes
     * instead: AS_BALLOON_MAP clear, so the page is silently not a balloon page; a NULL a_ops is only
     * reached by code that trusts the mapping without testing its flags. KASAN sees nothing here: the
     * object is allocated and its tag matches.
     */
    void uninitValue(AddressSpaceImpl a, String function) {
        if (depth.get()[0] > 0) {
            return;
        }
        String s = KMSAN_RULE + "\n" + String.format("BUG: KMSAN: uninit-value in %s%n", function) + indent(stack())
                + "\nUninit was created at:\n" + indent(a.allocStack) + "\n" + debug.cpuLine() + "\n" + KMSAN_RULE;
        debug.kasanReport(s);
    }

    private void kasanReport(StringBuilder sb) {
        synchronized (this) {
            if (depth.get()[0] > 0) {
                return;
            }
            if (reported) {
                suppressed++; // report_enabled(): one report a boot without kasan_multi_shot
                return;
            }
            reported = true;
        }
        debug.kasanReport(KASAN_RULE + "\n" + sb.toString().stripTrailing() + "\n" + KASAN_RULE);
    }

    /** The stack, "Allocated by" and "Freed by", and the object the address belongs to. */
    private void describe(StringBuilder sb, int handle, Tracks tracks) {
        sb.append(debug.cpuLine()).append('\n').append("Call Trace:\n").append(indent(stack())).append('\n');
        if (tracks.alloc() != null) {
            sb.append(String.format("Allocated by task %d:%n%s%n", tracks.alloc().pid(), indent(tracks.alloc().stack())));
        }
        if (tracks.free() != null) {
            sb.append(String.format("Freed by task %d:%n%s%n", tracks.free().pid(), indent(tracks.free().stack())));
        }
        long object = objectAddress(handle);
        sb.append(String.format("The buggy address belongs to the object at %016x%n which belongs to the cache %s of"
                + " size %d%n", object, CACHE, OBJECT_SIZE));
        sb.append(String.format("The buggy address is located 0 bytes inside of%n %d-byte region [%016x, %016x)%n",
                OBJECT_SIZE, object, object + OBJECT_SIZE));
    }

    /** What the stack ring knows of an object under one tag. */
    private record Tracks(String bugType, Entry alloc, Entry free) {
    }

    /**
     * kasan_complete_mode_report_info(): the ring's entries of the object with the pointer's tag, newest
     * first; the first one found names the bug, then at most one free and one alloc are taken.
     */
    private synchronized Tracks tracks(int handle, int tag) {
        String type = null;
        Entry alloc = null;
        Entry free = null;
        for (long i = pos - 1; i >= 0 && i >= pos - ring.length; i--) {
            if (alloc != null && free != null) {
                break;
            }
            Entry e = ring[(int) (i % ring.length)];
            if (e.handle() != handle || e.tag() != tag) {
                continue;
            }
            if (e.free()) {
                if (free != null) {
                    break; // second free of the same object: give up on the alloc entry
                }
                free = e;
                type = type == null ? "slab-use-after-free" : type;
            } else {
                if (alloc != null) {
                    break; // second alloc of the same object: give up
                }
                alloc = e;
                type = type == null ? "slab-out-of-bounds" : type;
            }
        }
        return new Tracks(type == null ? "invalid-access" : type, alloc, free);
    }

    /** Where the lab puts the object with this handle in the direct map (objects of the cache, side by side). */
    static long objectAddress(int handle) {
        return 0xffff888200000000L + (long) handle * OBJECT_SIZE;
    }

    /** The address with its pointer tag in the top byte (0: untagged). */
    static long tagged(long address, int tag) {
        return tag == 0 ? address : (address & 0x00ff_ffff_ffff_ffffL) | (long) tag << 56;
    }

    private static String indent(String frames) {
        StringBuilder sb = new StringBuilder();
        for (String l : frames.split("\n")) {
            if (!l.isBlank()) {
                sb.append(' ').append(l.strip()).append('\n');
            }
        }
        return sb.toString();
    }
}

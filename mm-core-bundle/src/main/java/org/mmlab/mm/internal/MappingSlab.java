package org.mmlab.mm.internal;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Models the slab cache struct address_space objects come from (kmalloc-192 under SLUB, mm/slub.c):
 * kfree() gives an object's memory back and the next kmalloc() of the size gets it again, the most
 * recently freed first (the per-cpu freelist); with KASAN's quarantine (mm/kasan/quarantine.c) only
 * once quarantineSize later frees pushed it out. An object's memory is its handle, which page->mapping
 * stores with the pointer's tag: a page or a driver that kept a pointer across kfree() reaches whatever
 * lives there next, and every kernel use of one goes through {@link #use}, where {@link Kasan} checks it.
 */
final class MappingSlab {
    private final Handles handles;
    private final Kasan kasan;
    /** Freed handles ready for the next kmalloc(), most recently freed first. */
    private final Deque<Integer> freelist = new ArrayDeque<>();
    /** Freed objects not yet given back, oldest first. */
    private final Deque<AddressSpaceImpl> quarantine = new ArrayDeque<>();
    /** The tag each handle's memory had last (so a reallocation never repeats it). */
    private final java.util.Map<Integer, Integer> lastTag = new java.util.HashMap<>();

    MappingSlab(Handles handles, Kasan kasan) {
        this.handles = handles;
        this.kasan = kasan;
    }

    /** kmalloc(sizeof(struct address_space)): a, not initialised, in freed memory if there is some. */
    synchronized void alloc(AddressSpaceImpl a) {
        trimQuarantine();
        Integer reuse = freelist.poll();
        int h = reuse != null ? reuse : handles.register(a);
        a.tag = kasan.randomTag(lastTag.getOrDefault(h, -1));
        a.handle = h;
        a.allocStack = Kasan.stack();
        lastTag.put(h, a.tag);
        if (reuse != null) {
            handles.reuse(h, a);
        }
        kasan.record(h, a.tag, false, a.allocStack);
    }

    /**
     * kfree() through the pointer a: the object freed, or null if KASAN caught a double free (the memory
     * is freed already, or holds another object now), in which case nothing is freed. With the checker
     * off the kernel frees whatever lives there.
     */
    AddressSpaceImpl free(AddressSpaceImpl a, String function) {
        AddressSpaceImpl there;
        synchronized (this) {
            there = handles.get(a.handle) instanceof AddressSpaceImpl x ? x : null;
            boolean mine = there == a && !a.freed;
            if (mine || !kasan.on() && there != null && !there.freed) {
                there.freed = true;
                kasan.record(there.handle, there.tag, true, Kasan.stack());
                quarantine.add(there);
                trimQuarantine();
                return there;
            }
        }
        if (kasan.on()) {
            kasan.doubleFree(a.handle, a.tag, there == null || there.freed ? Kasan.KASAN_TAG_INVALID : there.tag,
                    function);
        }
        return null;
    }

    /** quarantine_reduce(): what exceeds the quarantine goes back to the freelist. */
    synchronized void trimQuarantine() {
        while (quarantine.size() > kasan.quarantineSize()) {
            freelist.push(quarantine.poll().handle);
        }
    }

    /**
     * A read of the mapping page->mapping's word points to, by kernel code in function: the object, or
     * null for NULL, for a word that points to no mapping, and for an access the checker caught.
     */
    AddressSpaceImpl use(int word, String function) {
        int h = MemMap.mappingHandle(word);
        if (h == 0) {
            return null;
        }
        return use(handles.get(h), h, MemMap.mappingTag(word), function);
    }

    /** A read through a pointer a driver holds. */
    AddressSpaceImpl use(AddressSpaceImpl pointer, String function) {
        return use(handles.get(pointer.handle), pointer.handle, pointer.tag, function);
    }

    /** A write through a pointer (the v7 probe's initialisation): checked by KASAN, not by KMSAN. */
    AddressSpaceImpl write(AddressSpaceImpl pointer, String function) {
        Object o = handles.get(pointer.handle);
        if (!(o instanceof AddressSpaceImpl a)) {
            return null;
        }
        int memTag = a.freed ? Kasan.KASAN_TAG_INVALID : a.tag;
        if (kasan.on() && memTag != pointer.tag) {
            kasan.badAccess(pointer.handle, pointer.tag, memTag, function, true);
            return null;
        }
        return a;
    }

    private AddressSpaceImpl use(Object o, int handle, int ptrTag, String function) {
        if (!(o instanceof AddressSpaceImpl a)) {
            return null; // an anon_vma or nothing: not a mapping
        }
        if (!kasan.on()) {
            return a; // what the kernel reads: stale fields, another object's, or uninitialised ones
        }
        int memTag = a.freed ? Kasan.KASAN_TAG_INVALID : a.tag;
        if (memTag != ptrTag) {
            kasan.badAccess(handle, ptrTag, memTag, function, false);
            return null;
        }
        if (!a.initialised) {
            kasan.uninitValue(a, function);
            return null;
        }
        return a;
    }

    /**
     * The lab's own look (owner registry, mm:check): the mapping if the word points to a live,
     * initialised one under the word's tag, else null; never reports.
     */
    AddressSpaceImpl peek(int word) {
        int h = MemMap.mappingHandle(word);
        if (h == 0 || !(handles.get(h) instanceof AddressSpaceImpl a)) {
            return null;
        }
        return !a.freed && a.tag == MemMap.mappingTag(word) && a.initialised ? a : null;
    }

    /** What a word's memory holds now, unchecked: what the kernel goes on with after a report. */
    AddressSpaceImpl read(int word) {
        int h = MemMap.mappingHandle(word);
        return h != 0 && handles.get(h) instanceof AddressSpaceImpl a ? a : null;
    }

    /** Freed objects in the quarantine now. */
    synchronized int quarantined() {
        return quarantine.size();
    }

    /** The first frame outside mm-core and the balloon infrastructure: the driver function that used its pointer. */
    static String caller() {
        return StackWalker.getInstance().walk(s -> s.filter(f -> !f.getClassName().startsWith("org.mmlab.mm.")
                && !f.getClassName().startsWith("org.mmlab.balloon."))
                .findFirst().map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "."
                        + f.getMethodName()).orElse("?"));
    }
}

package org.mmlab.mm.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * What page->mapping points to (an anon_vma, an address_space, a balloon's mapping), as small
 * integer handles, because the memmap stores ints rather than Java references. An array indexed by
 * handle: migration looks up every page's owner, so the lookup must be a load, not a hash probe.
 */
final class Handles {
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Object[].class);

    private volatile Object[] objects = new Object[64];
    private int next = 1;

    synchronized int register(Object o) {
        if (next > MemMap.MAX_HANDLE) {
            throw new IllegalStateException("out of page->mapping handles (" + MemMap.MAX_HANDLE + ")");
        }
        int h = next++;
        Object[] a = objects;
        if (h >= a.length) {
            a = Arrays.copyOf(a, a.length * 2);
        }
        SLOTS.setRelease(a, h, o);
        objects = a;
        return h;
    }

    Object get(int handle) {
        Object[] a = objects;
        return handle > 0 && handle < a.length ? SLOTS.getAcquire(a, handle) : null;
    }

    /** The memory of a handle another object now occupies (a slab object allocated again). */
    synchronized void reuse(int handle, Object o) {
        SLOTS.setRelease(objects, handle, o);
    }

    synchronized void release(int handle) {
        Object[] a = objects;
        if (handle > 0 && handle < a.length) {
            SLOTS.setRelease(a, handle, null);
        }
    }
}

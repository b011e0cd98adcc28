package org.mmlab.mm.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What page->mapping points to (an anon_vma, an address_space, a balloon's mapping), as small
 * integer handles, because the memmap stores ints rather than Java references.
 */
final class Handles {
    private final ConcurrentHashMap<Integer, Object> objects = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger(1);

    int register(Object o) {
        int h = next.getAndIncrement();
        objects.put(h, o);
        return h;
    }

    Object get(int handle) {
        return objects.get(handle);
    }

    void release(int handle) {
        objects.remove(handle);
    }
}

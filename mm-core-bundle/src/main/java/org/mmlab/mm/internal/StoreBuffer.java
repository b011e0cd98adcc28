package org.mmlab.mm.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The weak-memory mode: a store buffer per CPU (per simulated task) for page->mapping, the page field
 * seed 003's "So I think this needs a wmb()" names. A buffered store is seen by its own CPU at once
 * (store forwarding) and by the others only once smp_wmb(), a RELEASE (a lock release,
 * smp_store_release()) or unlock_page() drains the buffer. List stores (page->lru) go to memory at once,
 * so a mapping store made before a list_del() can become visible after it: the store-store
 * reordering that weakly ordered CPUs allow and x86's TSO forbids. Off (the default), every store goes
 * to memory at once (sequential consistency). The buffer drains only at barriers: the worst case a
 * CPU may show, which is what makes the missing barrier's window reachable on every run.
 */
final class StoreBuffer {
    private final MemMap map;
    private volatile boolean on;
    /** Tasks with buffered stores: drain() costs one volatile read when none has any. */
    private final AtomicInteger pending = new AtomicInteger();
    private final ThreadLocal<Map<Integer, Integer>> stores = ThreadLocal.withInitial(LinkedHashMap::new);

    StoreBuffer(MemMap map) {
        this.map = map;
    }

    boolean on() {
        return on;
    }

    /** Switching it off drains nothing: stores still buffered reach memory at their task's next barrier. */
    void setOn(boolean on) {
        this.on = on;
    }

    /** page->mapping = word: buffered in weak-memory mode, else to memory. */
    void storeMapping(int pfn, int word) {
        if (!on) {
            map.mapping[pfn] = word;
            return;
        }
        Map<Integer, Integer> mine = stores.get();
        if (mine.isEmpty()) {
            pending.incrementAndGet();
        }
        mine.remove(pfn); // a later store to the same word replaces the earlier one, in program order
        mine.put(pfn, word);
    }

    /** READ_ONCE(page->mapping) on this CPU: its own buffered store if it has one, else memory. */
    int loadMapping(int pfn) {
        if (pending.get() == 0) {
            return map.mapping[pfn];
        }
        Integer mine = stores.get().get(pfn);
        return mine != null ? mine : map.mapping[pfn];
    }

    /** smp_wmb() and every RELEASE: this CPU's buffered stores reach memory, in program order. */
    void drain() {
        if (pending.get() == 0) {
            return;
        }
        Map<Integer, Integer> mine = stores.get();
        if (mine.isEmpty()) {
            return;
        }
        mine.forEach((pfn, word) -> map.mapping[pfn] = word);
        mine.clear();
        pending.decrementAndGet();
    }
}
